from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cto.users.forms import UserChangeForm, UserCreationForm
from cto.users.models import Invitation, Membership, Organization, OrganizationEvent, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class UserMembershipInline(MembershipInline):
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_service_account", "is_active", "last_login"]
    list_filter = ["is_staff", "is_service_account", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    inlines = [UserMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "member_count", "created_at"]
    search_fields = ["name", "memberships__user__email"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    @admin.display(description="Members", ordering="_member_count")
    def member_count(self, obj: Organization) -> int:
        return obj._member_count  # type: ignore[attr-defined]  # annotated in get_queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the team services (cto.users.services): shown, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "organization", "role", "status", "invited_by", "expires_at"]
    list_filter = ["role"]
    list_select_related = ["organization", "invited_by"]
    search_fields = ["email", "organization__name"]
    # The nonce (half of the link's secret) is not editable, so never shown.
    readonly_fields = [
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "revoked_by",
    ]

    @admin.display(description="Status")
    def status(self, obj: Invitation) -> str:
        return obj.status.label


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "verb", "email", "actor"]
    list_filter = ["verb"]
    list_select_related = ["organization", "actor"]
    search_fields = ["email", "organization__name"]
