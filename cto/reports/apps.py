from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cto.reports"
    label = "reports"
    verbose_name = "Reports"
