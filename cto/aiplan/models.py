"""The AI plan of an engagement: model/vendor matrix, eval gates, failure-mode register.

Every editable row carries a version: a save from a page that showed an older one is refused
(see services), so two people never silently overwrite each other."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cto.aiplan import ranking
from cto.aiplan.starter import COMPARISONS, LOOK_FIRST
from cto.core.models import TimeStampedModel
from cto.engagements.models import Engagement
from cto.receipts.verdicts import MEASURES
from cto.users.models import User

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class VersionedRow(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class AIPlanQuerySet(models.QuerySet["AIPlan"]):
    def for_user(self, user: User) -> AIPlanQuerySet:
        return self.filter(engagement__in=Engagement.objects.for_user(user))


class AIPlan(TimeStampedModel, VersionedRow):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="ai_plan")
    chosen = models.ForeignKey(
        "Candidate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fallback = models.ForeignKey(
        "Candidate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField(blank=True, max_length=4000)

    objects = AIPlanQuerySet.as_manager()

    def __str__(self) -> str:
        return f"AI plan of {self.engagement}"


class Criterion(VersionedRow):
    plan = models.ForeignKey(AIPlan, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=64)
    label = models.CharField(max_length=120)
    weight = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    higher_is_better = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="criterion_key_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__lte=100), name="criterion_weight_max"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def as_ranking(self) -> ranking.Criterion:
        return ranking.Criterion(str(self.pk), self.label, self.weight, self.higher_is_better)


class Candidate(VersionedRow):
    plan = models.ForeignKey(AIPlan, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=120)
    provider = models.CharField(max_length=120, blank=True)
    snapshot = models.CharField(max_length=120, blank=True, help_text="Version or snapshot date")
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})" if self.provider else self.name

    def as_ranking(self) -> ranking.Candidate:
        return ranking.Candidate(str(self.pk), str(self))


class CellScore(VersionedRow):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    measured_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    source_url = models.URLField(blank=True, max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "criterion"], name="cell_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5), name="cell_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} on {self.criterion}: {self.score}"


class EvalGate(VersionedRow):
    class Cadence(models.TextChoices):
        PER_COMMIT = "per_commit", "Every commit"
        NIGHTLY = "nightly", "Nightly"
        PER_CHANGE = "per_change", "Every model or prompt change"

    plan = models.ForeignKey(AIPlan, on_delete=models.CASCADE, related_name="gates")
    key = models.SlugField(max_length=64, blank=True, help_text="Set for gates from the playbook")
    name = models.CharField(max_length=160)
    behaviour = models.TextField(max_length=2000)
    dataset_description = models.TextField(blank=True, max_length=2000)
    dataset_size = models.PositiveIntegerField(null=True, blank=True)
    dataset_location = models.CharField(max_length=300, blank=True)
    metric = models.CharField(max_length=160)
    comparison = models.CharField(max_length=2, choices=[(c, c) for c in COMPARISONS])
    threshold = models.DecimalField(max_digits=14, decimal_places=4)
    cadence = models.CharField(max_length=16, choices=Cadence.choices)
    blocks_release = models.BooleanField(default=False)
    owner = models.CharField(max_length=120, blank=True)
    # The rule a receipt (an eval result file) is judged by: blank, no file decides this gate.
    measure = models.CharField(max_length=24, choices=MEASURES, blank=True)
    subject = models.CharField(
        max_length=200, blank=True, help_text="The scorer, metric or span name the measure reads."
    )
    # The newest receipt, kept by cto.receipts.services: its verdict is the gate's.
    latest_receipt = models.ForeignKey(
        "receipts.Receipt", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A claim typed by hand: a result measured elsewhere, with a note on where. It decides the
    # gate only while no receipt does, and is shown as a claim.
    latest_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    latest_at = models.DateField(null=True, blank=True)
    latest_run_url = models.URLField(blank=True, max_length=500)
    latest_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-blocks_release", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(measure__in=["", *(key for key, _ in MEASURES)]),
                name="eval_gate_measure_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def claimed_verdict(self) -> str:
        """The hand-typed claim's pass or fail ("no result" without one)."""
        return ranking.gate_verdict(self.comparison, self.threshold, self.latest_value)

    @property
    def verdict(self) -> str:
        """The gate's verdict, one rule everywhere (page, API, report, timeline): the latest
        receipt's outcome when it has one ("pass", "fail", "needs review"); else the claim's
        pass or fail; else "no result". Reads ``latest_receipt``: select_related it in lists."""
        receipt = self.latest_receipt
        if receipt is not None and receipt.outcome:
            return receipt.verdict_label
        return self.claimed_verdict

    @property
    def verdict_source(self) -> str:
        """Where the verdict comes from: "receipt", "claim" or "" (no result)."""
        if self.latest_receipt is not None and self.latest_receipt.outcome:
            return "receipt"
        return "claim" if self.latest_value is not None else ""

    @property
    def rule_text(self) -> str:
        """The rule files are judged by, or "" when the gate has none yet."""
        if not self.measure:
            return ""
        label = dict(MEASURES).get(self.measure, self.measure)
        subject = f" {self.subject}" if self.subject else ""
        return f"{label}{subject} {self.requirement}"

    @property
    def requirement(self) -> str:
        words, _ = ranking.COMPARISONS[self.comparison]
        return f"{words} {self.threshold.normalize():f}"


class FailureMode(VersionedRow):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MITIGATED = "mitigated", "Mitigated"
        ACCEPTED = "accepted", "Accepted"

    LOOK_FIRST_CHOICES = [(key, key.replace("_", " ").capitalize()) for key in LOOK_FIRST]

    plan = models.ForeignKey(AIPlan, on_delete=models.CASCADE, related_name="failure_modes")
    key = models.SlugField(max_length=64, blank=True)
    title = models.CharField(max_length=200)
    look_first = models.CharField(max_length=20, choices=LOOK_FIRST_CHOICES)
    likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    detection = models.TextField(blank=True, max_length=2000)
    mitigation = models.TextField(blank=True, max_length=2000)
    owner = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    status_reason = models.TextField(blank=True, max_length=2000)
    blocks_production = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5
                ),
                name="failure_mode_scales",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | ~models.Q(status_reason=""),
                name="failure_mode_accepted_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def risk(self) -> int:
        return self.likelihood * self.impact


class FailureModeProposal(TimeStampedModel, VersionedRow):
    """A failure someone saw (a client, an agent, a failing eval case) and proposes for the
    register. Nothing counts it (risk order, reports, the week-one checklist) until an operator
    confirms it, which writes the FailureMode with its likelihood and impact; or dismisses it,
    with a reason. Kept either way: the register's entries can be traced to what was seen."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    plan = models.ForeignKey(
        AIPlan, on_delete=models.CASCADE, related_name="failure_mode_proposals"
    )
    title = models.CharField(max_length=200)
    look_first = models.CharField(max_length=20, choices=FailureMode.LOOK_FIRST_CHOICES)
    evidence = models.TextField(
        max_length=4000, help_text="What was seen: the input, the output, where it happened."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)
    failure_mode = models.ForeignKey(
        FailureMode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="The register's entry it became, once confirmed.",
    )
    # Set when a failing case of an eval receipt was proposed: where it was seen.
    receipt = models.ForeignKey(
        "receipts.Receipt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    case_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="dismissed") | ~models.Q(decision_reason=""),
                name="failure_mode_proposal_dismissed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanComment(models.Model):
    """A client's or operator's comment on the plan or one of its rows."""

    class Row(models.TextChoices):
        PLAN = "plan", "The plan"
        CANDIDATE = "candidate", "Candidate"
        GATE = "gate", "Eval gate"
        FAILURE_MODE = "failure_mode", "Failure mode"

    plan = models.ForeignKey(AIPlan, on_delete=models.CASCADE, related_name="comments")
    row_kind = models.CharField(max_length=16, choices=Row.choices, default=Row.PLAN)
    row_id = models.PositiveBigIntegerField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"
