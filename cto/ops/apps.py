from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "cto.ops"
    label = "ops"
    verbose_name = "Operator dashboard"
