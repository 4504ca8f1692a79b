"""Personal access tokens: how scripts, CI and agents sign in to the API as a person."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class ApiToken(models.Model):
    """A token acts as its owner, with the owner's scoping, within its scope. The secret itself
    is never stored: ``digest`` is its SHA-256 (cto.api.keys)."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, to recognise it.")
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    public_id = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField("secret hash (SHA-256)", max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    expires_at = models.DateTimeField()
    # Moved forward at most once every API_TOKEN_TOUCH_SECONDS, not written on every request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["read", "read write"]), name="apitoken_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def prefix(self) -> str:
        """The start of the token, enough to recognise it in a list and in logs."""
        return f"cto_{self.public_id}"

    @property
    def revoke_url(self) -> str:
        """Where it is revoked: its owner's token page, or (for a service account's) the
        service accounts page."""
        if self.user.is_service_account:
            return reverse("tokens:service_account_token_revoke", args=[self.user_id, self.pk])
        return reverse("tokens:revoke", args=[self.pk])

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired() else "active"
