from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "cto.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from cto.webhooks import receivers  # noqa: F401  # connects the outbox to the timeline
