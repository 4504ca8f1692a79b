"""Operators' admin for the intake: trees (upload, preview, publish, funnel) and responses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe

from cto.engagements.admin import register_engagement_inline
from cto.intake import services
from cto.intake.models import DecisionTree, IntakeResponse, TreeVersion
from cto.intake.playbooks import read_tree_file
from cto.intake.selectors import intake_funnel

MAX_TREE_FILE_BYTES = 512 * 1024


class TreeUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A YAML or JSON tree file, like those in cto/playbooks/intake/.",
        # Also what a file far over the limit gets: it is dropped as it arrives (cto.core.uploads).
        error_messages={"required": "Choose a tree file: YAML or JSON, under 512 KB."},
    )
    publish = forms.BooleanField(required=False, help_text="Publish it at once if it is valid.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TREE_FILE_BYTES:
            raise ValidationError("The file is larger than 512 KB; a tree is much smaller.")
        return read_tree_file(upload.read(), name=upload.name)


class ResponseColumns:
    """What the inline on an engagement and the responses' own admin show of a response."""

    @admin.display(description="Path and answers")
    def path(self, obj: IntakeResponse) -> SafeString:
        return mark_safe(  # noqa: S308  # rendered by an autoescaping template
            render_to_string("intake/admin/_response_path.html", {"walk": obj.walk()})
        )

    @admin.display(description="Address proved")
    def contact_proof(self, obj: IntakeResponse) -> str:
        """Whether the contact proved the address they typed: operators trust a lead only
        then."""
        if obj.status != IntakeResponse.Status.SUBMITTED:
            return "-"
        if obj.contact_proven_at is not None:
            return f"Proved {obj.contact_proven_at:%Y-%m-%d %H:%M} UTC"
        if obj.contact_dismissed_at is not None:
            return "Unproven: the address's owner said it was not them"
        return "Unproven"

    @admin.display(description="Look-alikes")
    def lookalikes_found(self, obj: IntakeResponse) -> str:
        return (
            "; ".join(
                f"{found['kind']} “{found['typed']}” looks like “{found['existing']}”"
                for found in obj.lookalikes
            )
            or "None found"
        )


class ContactProofFilter(admin.SimpleListFilter):
    title = "contact's address"
    parameter_name = "proof"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("unproven", "Unproven"),
            ("dismissed", "Dismissed by its owner"),
            ("proven", "Proved"),
            ("lookalike", "Look-alike found"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        submitted = queryset.filter(status=IntakeResponse.Status.SUBMITTED)
        match self.value():
            case "unproven":
                return submitted.filter(contact_proven_at=None)
            case "dismissed":
                return submitted.filter(contact_proven_at=None).exclude(contact_dismissed_at=None)
            case "proven":
                return submitted.exclude(contact_proven_at=None)
            case "lookalike":
                return submitted.exclude(lookalikes=[])
        return queryset


class IntakeResponseInline(ResponseColumns, admin.StackedInline):
    model = IntakeResponse
    fk_name = "engagement"
    extra = 0
    can_delete = False
    verbose_name = "intake response"
    fields = [
        "tree_version",
        "outcome",
        "submitted_at",
        "contact_name",
        "contact_email",
        "contact_proof",
        "lookalikes_found",
        "role",
        "path",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


register_engagement_inline(IntakeResponseInline)


@admin.register(DecisionTree)
class DecisionTreeAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "created_at"]
    readonly_fields = ["slug", "title", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # trees come in through a version upload


@admin.register(TreeVersion)
class TreeVersionAdmin(admin.ModelAdmin):
    list_display = ["tree", "number", "status", "response_count", "created_at", "published_at"]
    list_filter = ["status", "tree"]
    list_select_related = ["tree"]
    fields = [
        "tree",
        "number",
        "status",
        "checksum",
        "source_name",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
        "preview",
        "funnel",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here
    actions = ["publish"]
    change_list_template = "intake/admin/treeversion_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TreeVersion]:
        return super().get_queryset(request).annotate(_responses=Count("responses"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # see the upload view

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and not obj.is_published and not obj.responses.exists()

    @admin.display(description="Responses", ordering="_responses")
    def response_count(self, obj: TreeVersion) -> int:
        return obj._responses  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="Preview")
    def preview(self, obj: TreeVersion) -> SafeString:
        return mark_safe(  # noqa: S308  # rendered by an autoescaping template
            render_to_string("intake/admin/_tree_preview.html", {"tree": obj.parsed()})
        )

    @admin.display(description="Funnel")
    def funnel(self, obj: TreeVersion) -> SafeString:
        return mark_safe(  # noqa: S308  # rendered by an autoescaping template
            render_to_string("intake/admin/_funnel.html", {"funnel": intake_funnel(version=obj)})
        )

    @admin.action(description="Publish the selected versions")
    def publish(self, request: HttpRequest, queryset: QuerySet[TreeVersion]) -> None:
        for version in queryset:
            try:
                services.tree_version_publish(version=version, by=request.user)  # type: ignore[arg-type]  # admin users are Users
            except ValidationError as error:
                self.message_user(request, f"{version}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Published {version}.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="intake_treeversion_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("intake.add_treeversion"):
            raise PermissionDenied
        # Bound on every POST, even an empty one (a file dropped for its size leaves nothing):
        # the form then says what is missing instead of showing itself blank again.
        form = (
            TreeUploadForm(request.POST, request.FILES)
            if request.method == "POST"
            else TreeUploadForm()
        )
        if request.method == "POST" and form.is_valid():
            try:
                version, created = services.tree_version_create(
                    definition=form.cleaned_data["file"],
                    source_name=getattr(request.FILES.get("file"), "name", "") or "",
                    by=request.user,  # type: ignore[arg-type]  # admin users are Users
                )
                if form.cleaned_data["publish"]:
                    version = services.tree_version_publish(version=version, by=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                form.add_error("file", error)
            else:
                note = "Loaded" if created else "Nothing new: identical to"
                self.message_user(request, f"{note} {version}.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:intake_treeversion_change", args=[version.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload a decision tree",
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "intake/admin/treeversion_upload.html", context)


@admin.register(IntakeResponse)
class IntakeResponseAdmin(ResponseColumns, admin.ModelAdmin):
    list_display = [
        "id",
        "tree_version",
        "status",
        "outcome",
        "company",
        "contact_email",
        "contact_proof",
        "started_at",
    ]
    list_filter = ["status", ContactProofFilter, "outcome", "tree_version"]
    list_select_related = ["tree_version__tree"]
    search_fields = ["company", "contact_email", "contact_name"]
    date_hierarchy = "started_at"
    fields = [
        "tree_version",
        "status",
        "outcome",
        "path",
        "engagement",
        "contact_name",
        "contact_email",
        "contact_proof",
        "contact_proven_by",
        "lookalikes_found",
        "company",
        "role",
        "consent_at",
        "resume_email",
        "started_at",
        "completed_at",
        "submitted_at",
        "notified_at",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]  # a flat list of names here

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
