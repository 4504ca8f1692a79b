from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "cto.checklists"
    label = "checklists"
    verbose_name = "Week-one checklists"

    def ready(self) -> None:
        from cto.checklists import receivers  # noqa: F401  # connects the stage-change receiver
