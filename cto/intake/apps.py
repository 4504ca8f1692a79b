from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "cto.intake"
    label = "intake"
    verbose_name = "Intake"
