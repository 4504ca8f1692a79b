"""Operators' admin for reports: every version with its status and figures (read-only), retry
for failed ones, and "generate" on the engagement list. Writes go through the services."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from cto.engagements.admin import register_engagement_action
from cto.engagements.models import Engagement
from cto.reports import services
from cto.reports.models import Report
from cto.users.models import User


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "release",
        "pages",
        "bytes",
        "render_ms",
        "attempts",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "release", "kind"]
    list_select_related = ["engagement__organization", "requested_by"]
    search_fields = ["engagement__title", "engagement__organization__name"]
    exclude = ["snapshot"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "snapshot"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated from the engagement page or list

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Retry the selected failed reports")
    def retry(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        _each(
            self, request, queryset, lambda report, by: services.report_retry(report=report, by=by)
        )


@admin.action(description="Generate a new week-one report (a draft for review)")
def generate_week_one(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Engagement]
) -> None:
    _each(
        modeladmin,
        request,
        queryset,
        lambda engagement, by: services.report_request(
            engagement=engagement, kind=Report.Kind.WEEK_ONE, by=by
        ),
    )


def _each(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any, do: Any) -> None:
    done = 0
    for obj in queryset:
        try:
            do(obj, cast(User, request.user))
            done += 1
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request, f"{done} report(s) queued; they appear on each engagement when ready."
        )


register_engagement_action(generate_week_one)
