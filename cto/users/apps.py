from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "cto.users"
    label = "users"
    verbose_name = "Users and organisations"
