"""Operators' admin for reports: every version with its status and figures, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cto.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "pages", "bytes", "render_ms", "attempts", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["engagement__organization"]
    search_fields = ["engagement__title", "engagement__organization__name"]
    exclude = ["snapshot"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "snapshot"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated from the engagement page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
