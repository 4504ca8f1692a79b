from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cto.api"
    label = "api"
    verbose_name = "API and access tokens"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from cto.api import via
        from cto.engagements.models import ActivityEvent

        pre_save.connect(via.name_the_token, sender=ActivityEvent, dispatch_uid="api_via_token")
