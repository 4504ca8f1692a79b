"""Webhook endpoints, the outbox of their deliveries, and every attempt made to send one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cto.core.models import TimeStampedModel


class Endpoint(TimeStampedModel):
    """A URL that is sent the timeline's events as signed requests (Standard Webhooks).

    Practice-wide (no organisation: registered by an operator, sent every engagement's events)
    or an organisation's (registered by one of its owners, sent only its engagements' events
    and only those its client may see on the timeline)."""

    organization = models.ForeignKey(
        "users.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text="Empty for a practice-wide endpoint.",
    )
    url = models.URLField("URL", max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Kept as given to the receiver ("whsec_" and base64): signing needs the secret itself.
    # Shown once, when the endpoint is registered.
    secret = models.CharField(max_length=100, editable=False)
    # ActivityEvent verbs; a new kind of event is subscribed to explicitly, never by default.
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
    )
    # Since when every attempt has failed (none succeeded since); cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    # When its owners were emailed that it was disabled; stamped with the send.
    disabled_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["active", "organization"], name="webhook_endpoint_active")]

    def __str__(self) -> str:
        return self.description or self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", kwargs={"pk": self.pk})

    @property
    def owner_label(self) -> str:
        return str(self.organization) if self.organization_id else "The practice (every engagement)"


class Delivery(models.Model):
    """One event for one endpoint: a row of the outbox, written in the transaction that
    recorded the event. Its message id (the webhook-id header) and body never change, so a
    retry or a replay is the same message to the receiver."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        "engagements.ActivityEvent", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    # The order deliveries keep: per endpoint and engagement, by id.
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    message_id = models.CharField("webhook-id", max_length=40, unique=True, editable=False)
    event_type = models.CharField(max_length=64)
    # The JSON body exactly as signed: stored as text, since a JSON column may reorder keys.
    body = models.TextField(editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When a pending delivery is next due; while an attempt is under way, the end of its lease.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The start of the retry window (WEBHOOK_RETRY_WINDOW_SECONDS); a replay starts a new one.
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "engagement", "id"], name="webhook_delivery_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.event_type} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One request made for a delivery, and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    # The start of the answer, or why there was none (refused address, timeout...).
    excerpt = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.status_code}"
