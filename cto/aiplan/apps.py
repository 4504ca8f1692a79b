from django.apps import AppConfig


class AIPlanConfig(AppConfig):
    name = "cto.aiplan"
    label = "aiplan"
    verbose_name = "AI plans"
