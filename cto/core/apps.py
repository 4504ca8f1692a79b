from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cto.core"
    label = "core"
    verbose_name = "Core"
