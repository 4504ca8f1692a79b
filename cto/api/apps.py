from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cto.api"
    label = "api"
    verbose_name = "API and access tokens"
