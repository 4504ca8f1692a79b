"""Receipts in the admin: read only. A receipt is never edited (a new file is a new receipt),
so the admin offers no add, change or delete; the plan page and the API add them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cto.receipts.models import Receipt


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "gate", "outcome", "value", "tool", "created_at"]
    list_filter = ["kind", "outcome", "format"]
    list_select_related = ["gate", "plan__engagement"]
    search_fields = ["filename", "sha256", "plan__engagement__title"]
    exclude = ["spans", "failing_cases", "file"]  # large; the plan page shows them

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Receipt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Receipt | None = None) -> bool:
        return False
