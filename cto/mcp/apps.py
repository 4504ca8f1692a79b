from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "cto.mcp"
    label = "mcp"
    verbose_name = "MCP server"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from cto.engagements.models import ActivityEvent
        from cto.mcp import activity

        pre_save.connect(activity.mark_via, sender=ActivityEvent, dispatch_uid="mcp_mark_via")
