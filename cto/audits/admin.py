"""Operators' admin for audits: templates (publish), audits with their scores and flags."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from cto.audits import scoring, services
from cto.audits.models import Audit, AuditAnswer, AuditTemplate, AuditTemplateVersion
from cto.audits.selectors import audit_flags, audit_result
from cto.engagements.admin import register_engagement_inline


def _intake_response(audit: Audit) -> Any:
    """The engagement's intake response, prefetched (None when it came in another way)."""
    try:
        return audit.engagement.intake_response
    except ObjectDoesNotExist:
        return None


def _score_of(audit: Audit) -> scoring.AuditScore:
    """From the prefetched answers: listing audits costs no query per row."""
    values = {answer.question: answer.value for answer in audit.answers.all()}
    return scoring.score(audit.template_version.parsed(), values)


class AuditInline(admin.TabularInline):
    model = Audit
    extra = 0
    can_delete = False
    fields = ["number", "status", "overall", "red_flags", "link"]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here
    verbose_name_plural = "readiness audits"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audit]:
        return (
            super()
            .get_queryset(request)
            .select_related("template_version")
            .prefetch_related("answers")
        )

    @admin.display(description="Overall score")
    def overall(self, obj: Audit) -> str:
        score = _score_of(obj)
        if score.overall is None:
            return "not scored"
        return f"{score.overall} ({score.band.label if score.band else ''})"

    @admin.display(description="Red flags")
    def red_flags(self, obj: Audit) -> str:
        return "; ".join(f.rule.title for f in audit_flags(obj, _intake_response(obj))) or "none"

    @admin.display(description="Open")
    def link(self, obj: Audit) -> SafeString:
        return format_html(
            '<a href="{}">result</a>', reverse("admin:audits_audit_change", args=[obj.pk])
        )


register_engagement_inline(AuditInline)


@admin.register(AuditTemplate)
class AuditTemplateAdmin(admin.ModelAdmin):
    list_display = ["slug", "title"]
    readonly_fields = ["slug", "title", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # templates come in with load_playbooks


@admin.register(AuditTemplateVersion)
class AuditTemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "status", "created_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["template"]
    fields = ["template", "number", "status", "checksum", "source_name", "published_at", "outline"]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here
    actions = ["publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Dimensions and questions")
    def outline(self, obj: AuditTemplateVersion) -> SafeString:
        return mark_safe(  # noqa: S308  # rendered by an autoescaping template
            render_to_string("audits/admin/_outline.html", {"template": obj.parsed()})
        )

    @admin.action(description="Publish the selected versions")
    def publish(self, request: HttpRequest, queryset: QuerySet[AuditTemplateVersion]) -> None:
        for version in queryset:
            try:
                services.audit_template_version_publish(version=version, by=request.user)  # type: ignore[arg-type]  # admin users are Users
            except ValidationError as error:
                self.message_user(request, f"{version}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Published {version}.", messages.SUCCESS)


class AuditAnswerInline(admin.TabularInline):
    model = AuditAnswer
    extra = 0
    can_delete = False
    fields = [
        "question",
        "level",
        "not_applicable",
        "note",
        "evidence_url",
        "answered_by",
        "updated_at",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditAnswer]:
        return super().get_queryset(request).select_related("answered_by").order_by("question")


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "overall", "flags", "updated_at"]
    list_filter = ["status"]
    search_fields = ["engagement__title", "engagement__organization__name"]
    fields = [
        "engagement",
        "number",
        "template_version",
        "status",
        "locked_at",
        "locked_by",
        "summary",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here
    inlines = [AuditAnswerInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audit]:
        return (
            super()
            .get_queryset(request)
            .select_related("engagement__organization", "template_version", "locked_by")
            .prefetch_related("answers", "engagement__intake_response__tree_version")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # audits are opened from the engagement page

    @admin.display(description="Overall")
    def overall(self, obj: Audit) -> str:
        score = _score_of(obj)
        return "not scored" if score.overall is None else str(score.overall)

    @admin.display(description="Red flags")
    def flags(self, obj: Audit) -> int:
        return len(audit_flags(obj, _intake_response(obj)))

    @admin.display(description="Result")
    def summary(self, obj: Audit) -> SafeString:
        return mark_safe(  # noqa: S308  # rendered by an autoescaping template
            render_to_string("audits/admin/_summary.html", {"result": audit_result(audit=obj)})
        )
