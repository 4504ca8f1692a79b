from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "cto.audits"
    label = "audits"
    verbose_name = "Readiness audits"
