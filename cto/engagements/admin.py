"""Operators' admin for engagements: every write goes through the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.text import smart_split, unescape_string_literal

from cto.core.lookups import in_ids
from cto.engagements import services
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.users.models import Organization, User


def _acting(request: HttpRequest) -> User:
    """The operator behind an admin request (the admin lets only staff in)."""
    return cast(User, request.user)


# Inlines other apps add to the engagement page (the intake response, audits, ...), so that
# this module never imports the apps above it.
EXTRA_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def register_engagement_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    if inline not in EXTRA_INLINES:
        EXTRA_INLINES.append(inline)


def register_engagement_action(action: Any) -> None:
    """Add an action to the engagement list (generate a report, ...), for the same reason."""
    if action not in EngagementAdmin.actions:
        EngagementAdmin.actions.append(action)


class ActivityEventInline(admin.TabularInline):
    model = ActivityEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "summary", "notified_at"]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here
    ordering = ["-created_at", "-id"]
    verbose_name = "timeline event"
    verbose_name_plural = "timeline"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ActivityEvent]:
        return super().get_queryset(request).select_related("actor")


class EngagementAdminForm(forms.ModelForm):
    # The version the operator saw when the form was drawn; a later save by someone else
    # makes this one refused rather than silently overwritten.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Engagement
        fields = ["organization", "title", *services.EDITABLE_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            # The organisation is fixed once the engagement exists.
            self.fields["organization"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None:
            current = Engagement.objects.values_list("version", flat=True).get(pk=self.instance.pk)
            if current != seen:
                raise ValidationError(
                    "Someone else changed this engagement while you were editing it. "
                    "Open it again to see their change, then make yours."
                )
        return cleaned


def _transition_action(target: Stage) -> Any:
    def action(
        modeladmin: EngagementAdmin, request: HttpRequest, queryset: QuerySet[Engagement]
    ) -> None:
        moved, refused = 0, []
        for engagement in queryset.select_related("organization"):
            try:
                services.engagement_transition(
                    engagement=engagement, to=target, by=_acting(request)
                )
                moved += 1
            except ValidationError as error:
                refused.append(f"{engagement}: {' '.join(error.messages)}")
        if moved:
            modeladmin.message_user(
                request, f"Moved {moved} engagement(s) to “{target.label}”.", messages.SUCCESS
            )
        for problem in refused:
            modeladmin.message_user(request, problem, messages.ERROR)

    action.__name__ = f"move_to_{target.value}"
    return admin.action(description=f"Move to stage “{target.label}”")(action)


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    form = EngagementAdminForm
    list_display = [
        "title",
        "organization",
        "kind",
        "stage",
        "lead",
        "contact",
        "start_date",
        "updated_at",
    ]
    # No date_hierarchy: its year links are a DISTINCT over every row's date on every page
    # (60 ms at 100k engagements); the date filter's fixed ranges ask the database nothing.
    list_filter = [
        "stage",
        "kind",
        "kind_confirmed",
        # The operators (the field's limit_choices_to), not a DISTINCT over every engagement.
        ("lead", admin.RelatedFieldListFilter),
        "created_at",
    ]
    list_select_related = ["organization", "lead", "contact"]
    search_fields = ["title", "organization__name", "contact__email", "contact__name"]
    search_help_text = "Title, organisation, or the contact's name or email."
    autocomplete_fields = ["organization", "lead", "contact"]
    # At 100k engagements the unfiltered total is a second COUNT over the table on every
    # filtered or searched page; "N results (Show all)" needs only the filtered one.
    show_full_result_count = False
    # Drawing a row costs the admin about 1 ms of template work: 100 a page was two thirds of
    # the page's time once there are 100k engagements to page through.
    list_per_page = 50
    readonly_fields = ["stage", "paused_from", "stage_changed_at", "version", "next_stages_display"]
    actions: list[Any] = [_transition_action(stage) for stage in Stage]

    def get_inlines(self, request: HttpRequest, obj: Engagement | None) -> list[type]:
        return [*EXTRA_INLINES, ActivityEventInline] if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Engagement | None = None) -> Any:
        main = ["organization", "title", "kind", "kind_confirmed", "lead", "contact", "start_date"]
        if obj is None:
            return [(None, {"fields": main})]
        return [
            (None, {"fields": [*main, "seen_version"]}),
            (
                "Stage (change it with the actions on the list page)",
                {"fields": ["stage", "paused_from", "stage_changed_at", "next_stages_display"]},
            ),
            ("Concurrency", {"fields": ["version"], "classes": ["collapse"]}),
        ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Engagement], search_term: str
    ) -> tuple[QuerySet[Engagement], bool]:
        """The search of ``search_fields`` (each word must match one of them), with the
        organisation and the contact matched in subqueries of their own tables: Django's
        joins all three tables first and tests every engagement's row (200 ms at 100k
        engagements). Each part is answered from an index (the trigram indexes of migration
        0005, then the foreign keys' indexes): under a millisecond at 100k engagements."""
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            organizations = Organization.objects.filter(name__icontains=word).values("pk")
            contacts = User.objects.filter(Q(email__icontains=word) | Q(name__icontains=word))
            queryset = queryset.filter(
                Q(title__icontains=word)
                | in_ids("organization_id", organizations)
                | in_ids("contact_id", contacts.values("pk"))
            )
        return queryset, False

    @admin.display(description="May move to")
    def next_stages_display(self, obj: Engagement) -> str:
        return ", ".join(stage.label for stage in obj.next_stages) or "nothing (final stage)"

    def save_model(
        self, request: HttpRequest, obj: Engagement, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            created = services.engagement_create(
                organization=data["organization"],
                title=data["title"],
                kind=data["kind"],
                lead=data.get("lead"),
                contact=data.get("contact"),
                start_date=data.get("start_date"),
                by=_acting(request),
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        seen = data.get("seen_version") or obj.version
        updated = services.engagement_update(
            engagement=obj,
            by=_acting(request),
            expected_version=seen,
            **{name: data[name] for name in services.EDITABLE_FIELDS if name in data},
        )
        obj.version = updated.version

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleEngagementError as error:
            # A save that raced past the form's check: nothing was written.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
