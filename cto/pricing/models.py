"""Pricing tiers, and quotes with their options and line items. Totals are never stored:
they are computed from the lines (calculator.py) wherever they are shown."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cto.core.models import TimeStampedModel
from cto.engagements.models import Engagement
from cto.pricing import calculator
from cto.users.models import User


class PricingTier(TimeStampedModel):
    class Kind(models.TextChoices):
        GENERIC = "generic", "Fractional CTO"
        AI = "ai", "Fractional AI CTO"

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    currency = models.CharField(max_length=3, default="EUR")
    monthly_retainer = models.DecimalField(max_digits=12, decimal_places=2)
    days_per_week = models.DecimalField(max_digits=3, decimal_places=1)
    week_one_fee = models.DecimalField(max_digits=12, decimal_places=2)
    minimum_term_months = models.PositiveSmallIntegerField(default=3)
    includes = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_retainer__gte=0), name="tier_retainer_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuoteQuerySet(models.QuerySet["Quote"]):
    def for_user(self, user: User) -> QuoteQuerySet:
        """The quotes of the user's organisations that the user may read: every one for an
        operator, none still in draft for a client."""
        return self.filter(engagement__in=Engagement.objects.for_user(user)).shown_to(user)

    def shown_to(self, user: User) -> QuoteQuerySet:
        """What ``user`` may read of these quotes: a draft is the practice's work in progress
        (its options, lines and totals change until it is sent), for operators only."""
        return self if user.is_staff else self.shown_to_clients()

    def shown_to_clients(self) -> QuoteQuerySet:
        """Every quote but drafts: what a client may read, and so what may go into a report,
        which every member of the organisation may download."""
        return self.exclude(status=Quote.Status.DRAFT)


class Quote(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        SUPERSEDED = "superseded", "Superseded by a revision"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="quotes")
    number = models.PositiveIntegerField(help_text="Quote number within the engagement")
    revision = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3)
    valid_until = models.DateField()
    terms = models.TextField(max_length=8000)
    recommended_label = models.CharField(max_length=16, blank=True)
    recommendation_reason = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_option = models.ForeignKey(
        "QuoteOption", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the client signs (an accepted quote never changes), so that the revenue of
    # thousands of running engagements is one SUM, not every accepted option's lines added up.
    accepted_monthly = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="The accepted option's monthly total, as signed",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(max_length=200, blank=True)
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    signer_user_agent = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "-number", "-revision"]
        indexes = [
            # The dashboard's quotes about to expire: the few sent ones among the many answered,
            # in expiry order, without reading the others.
            models.Index(
                fields=["valid_until", "id"],
                condition=models.Q(status="sent"),
                name="quote_sent_by_expiry",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "number", "revision"], name="quote_revision_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted")
                | (
                    models.Q(accepted_at__isnull=False)
                    & models.Q(accepted_option__isnull=False)
                    & models.Q(accepted_monthly__isnull=False)
                    & ~models.Q(signer_name="")
                ),
                name="quote_accepted_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"Quote {self.number}.{self.revision} for {self.engagement}"

    def get_absolute_url(self) -> str:
        return reverse("pricing:quote", args=[self.pk])

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.SENT and self.valid_until < timezone.localdate()

    @property
    def display_status(self) -> str:
        return "Expired" if self.is_expired else self.get_status_display()

    @property
    def days_left(self) -> int:
        return (self.valid_until - timezone.localdate()).days


class QuoteOption(models.Model):
    class Label(models.TextChoices):
        GOOD = "good", "Good"
        BETTER = "better", "Better"
        BEST = "best", "Best"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=16, choices=Label.choices)
    tier = models.ForeignKey(PricingTier, on_delete=models.PROTECT, related_name="+")
    minimum_term_months = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "label"], name="quote_option_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_label_display()}: {self.tier}"

    def totals(self) -> calculator.Totals:
        """From the prefetched lines: showing a quote costs no query per option."""
        return calculator.totals(
            [line.as_line() for line in self.lines.all()],
            currency=self.quote.currency,
            minimum_term_months=self.minimum_term_months,
        )


class QuoteLine(models.Model):
    class Kind(models.TextChoices):
        AMOUNT = "amount", "Amount"
        MULTIPLIER = "multiplier", "Multiplier"
        DISCOUNT_PERCENT = "discount_percent", "Discount (%)"

    class Period(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        ONE_OFF = "one_off", "One-off"

    option = models.ForeignKey(QuoteOption, on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(max_length=160)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AMOUNT)
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.MONTHLY)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    factor = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    reason = models.TextField(blank=True, max_length=1000)
    driver = models.SlugField(
        max_length=64, blank=True, help_text="The risk driver that proposed it"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    def as_line(self) -> calculator.Line:
        return calculator.Line(
            self.label,
            self.kind,
            self.period,
            amount=self.amount,
            factor=self.factor,
            reason=self.reason,
        )


def valid_for(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
