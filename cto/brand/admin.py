"""The brand in the admin: one row to edit, never a second to add."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from cto.brand.forms import BrandForm
from cto.brand.models import SINGLETON_ID, Brand
from cto.brand.selectors import brand_current
from cto.brand.services import brand_save


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    form = BrandForm
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not Brand.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Brand | None = None) -> bool:
        return False  # the settings' defaults are a fallback, not a second brand to go back to

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """No list of one: straight to the row, or to the form that creates it."""
        if Brand.objects.filter(pk=SINGLETON_ID).exists():
            return HttpResponseRedirect(reverse("admin:brand_brand_change", args=[SINGLETON_ID]))
        return HttpResponseRedirect(reverse("admin:brand_brand_add"))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new row starts from what the site shows now (the BRAND_* settings)."""
        current = brand_current()
        return {
            "name": current.name,
            "tagline": current.tagline,
            "primary_color": current.primary_color,
            "accent_color": current.accent_color,
            "address": current.address,
            "email": current.email,
            "phone": current.phone,
            "website": current.website,
            "booking_url": current.booking_url,
        }

    def save_model(self, request: HttpRequest, obj: Brand, form: Any, change: bool) -> None:
        brand_save(brand=obj)
