from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cto.demo"
    label = "demo"
    verbose_name = "Demo data"
