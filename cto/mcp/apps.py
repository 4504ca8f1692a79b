from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "cto.mcp"
    label = "mcp"
    verbose_name = "MCP server"
