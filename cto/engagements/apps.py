from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "cto.engagements"
    label = "engagements"
    verbose_name = "Engagements"
