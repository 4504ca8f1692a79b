"""/mcp/: the MCP server (cto.mcp.server), with every tool declared on it."""

from __future__ import annotations

from django.urls import path

from cto.mcp import reads, writes  # noqa: F401  # importing them declares the tools
from cto.mcp.server import server

app_name = "mcp"
urlpatterns = [path("", server, name="server")]
