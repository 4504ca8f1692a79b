"""Operators' admin for AI plans: the rows the page does not add (eval gates, failure modes)
are added and edited here, every save going through the services."""

from __future__ import annotations

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from cto.aiplan import services
from cto.aiplan.models import AIPlan, Candidate, Criterion, EvalGate, FailureMode


class _RowInline(admin.StackedInline):
    extra = 0
    exclude = ["key"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["label", "weight", "higher_is_better", "position"]


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    fields = ["name", "provider", "snapshot", "notes"]


class EvalGateInline(_RowInline):
    model = EvalGate
    # Kept by the receipts service: the newest receipt decides the gate.
    readonly_fields = ["latest_receipt"]


class FailureModeInline(_RowInline):
    model = FailureMode


@admin.register(AIPlan)
class AIPlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "chosen", "fallback", "updated_at"]
    list_select_related = ["engagement__organization", "chosen", "fallback"]
    search_fields = ["engagement__title", "engagement__organization__name"]
    readonly_fields = ["engagement", "chosen", "fallback", "rationale", "version"]
    inlines = [CriterionInline, CandidateInline, EvalGateInline, FailureModeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # plans are started from the engagement page, with the playbook's proposals

    def save_model(self, request: HttpRequest, obj: AIPlan, form: ModelForm, change: bool) -> None:
        pass  # every field of the plan itself is read-only here; its rows are saved below

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        instances = formset.save(commit=False)
        for row in formset.deleted_objects:
            services.row_drop(row=row, by=request.user)  # type: ignore[arg-type]  # admin users are Users
        for row in instances:
            verb = "edited" if row.pk else "added"
            services.row_save(
                row=row,
                by=request.user,  # type: ignore[arg-type]
                change=f"{verb} {row._meta.verbose_name} “{row}” in the admin",
            )
