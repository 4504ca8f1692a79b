from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "cto.playbooks"
    label = "playbooks"
    verbose_name = "Shipped content"
