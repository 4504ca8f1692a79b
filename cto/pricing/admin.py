"""Operators' admin for pricing: tiers are edited here; quotes are read here (they are built,
sent and revised on their pages, through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cto.core.money import money_text
from cto.pricing.forms import PricingTierAdminForm
from cto.pricing.models import PricingTier, Quote, QuoteOption


@admin.register(PricingTier)
class PricingTierAdmin(admin.ModelAdmin):
    form = PricingTierAdminForm
    list_display = [
        "name",
        "kind",
        "currency",
        "monthly_retainer",
        "days_per_week",
        "week_one_fee",
        "minimum_term_months",
        "active",
        "order",
    ]
    list_editable = ["active", "order"]
    list_filter = ["kind", "active"]


class QuoteOptionInline(admin.TabularInline):
    model = QuoteOption
    extra = 0
    can_delete = False
    fields = ["label", "tier", "minimum_term_months", "monthly_total", "one_off_total"]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuoteOption]:
        return (
            super().get_queryset(request).select_related("tier", "quote").prefetch_related("lines")
        )

    @admin.display(description="Monthly")
    def monthly_total(self, obj: QuoteOption) -> str:
        return money_text(obj.totals().monthly, obj.quote.currency)

    @admin.display(description="One-off")
    def one_off_total(self, obj: QuoteOption) -> str:
        return money_text(obj.totals().one_off, obj.quote.currency)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "revision",
        "status",
        "recommended_label",
        "valid_until",
        "accepted_at",
    ]
    list_filter = ["status"]
    list_select_related = ["engagement__organization"]
    search_fields = ["engagement__title", "engagement__organization__name", "signer_name"]
    readonly_fields = [f.name for f in Quote._meta.fields]
    inlines = [QuoteOptionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # quotes, and their revisions, are kept
