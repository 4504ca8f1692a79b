from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cto.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from cto.reports import receivers  # noqa: F401  # connects the intake receiver
