from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class ChecklistsConfig(AppConfig):
    name = "cto.checklists"
    label = "checklists"
    verbose_name = "Week-one checklists"

    def ready(self) -> None:
        from cto.checklists import receivers  # noqa: F401  # connects the receivers
        from cto.checklists.definition import working_weekdays

        # A misspelt day stops the start, rather than the first checklist applied.
        try:
            working_weekdays(settings.CHECKLIST_WORKING_DAYS)
        except ValueError as error:
            raise ImproperlyConfigured(f"CHECKLIST_WORKING_DAYS: {error}") from error
