"""Receipts: files from a client's own tools (eval results, traces) kept as the proof of a
gate's verdict. A receipt is written once, with the verdict computed when it arrived and the
rule it was judged by, and never changed: a new file is a new receipt (cto.receipts.services)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse

from cto.aiplan.models import AIPlan, EvalGate
from cto.aiplan.starter import COMPARISONS
from cto.core.storage import private_storage
from cto.receipts.verdicts import MEASURES
from cto.users.models import User

FAILING_CASES_KEPT = 50


def _receipt_path(instance: Receipt, filename: str) -> str:
    # A random name: the uploaded one is kept in the row, never trusted as a path.
    engagement_id = instance.plan.engagement_id
    return f"receipts/{engagement_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:12]}"


class ReceiptQuerySet(models.QuerySet["Receipt"]):
    def for_user(self, user: User) -> ReceiptQuerySet:
        return self.filter(plan__in=AIPlan.objects.for_user(user))


class Receipt(models.Model):
    class Kind(models.TextChoices):
        EVAL = "eval", "Eval result"
        TRACE = "trace", "Trace"

    class Outcome(models.TextChoices):
        PASS = "pass", "pass"
        FAIL = "fail", "fail"
        NEEDS_REVIEW = "needs_review", "needs review"

    plan = models.ForeignKey(AIPlan, on_delete=models.CASCADE, related_name="receipts")
    # Null for a trace kept on the plan rather than judged by a gate.
    gate = models.ForeignKey(
        EvalGate, on_delete=models.CASCADE, null=True, blank=True, related_name="receipts"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(upload_to=_receipt_path, storage=private_storage, max_length=300)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    # What the file states, as the adapter read it; empty when it could not be read.
    format = models.CharField(max_length=16, blank=True)
    tool = models.CharField(max_length=200, blank=True)
    tool_version = models.CharField(max_length=200, blank=True)
    adapter_version = models.CharField(max_length=16, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The verdict when it arrived. Blank for a trace kept on the plan with no rule.
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    cases = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    # The rule it was judged by, copied: the gate's rule may change later, this verdict not.
    measure = models.CharField(max_length=24, choices=MEASURES, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    comparison = models.CharField(max_length=2, blank=True, choices=[(c, c) for c in COMPARISONS])
    threshold = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    # Traces: the allow-listed fields of every span, to draw the waterfall without the file.
    spans = models.JSONField(default=list, blank=True)
    # Evals: the failing cases (at most FAILING_CASES_KEPT), to propose failure modes from.
    failing_cases = models.JSONField(default=list, blank=True)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["gate", "-created_at"], name="receipt_gate_newest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["", "pass", "fail", "needs_review"]),
                name="receipt_outcome_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["eval", "trace"]), name="receipt_kind_known"
            ),
            models.CheckConstraint(
                condition=Exact(Length("sha256"), 64), name="receipt_sha256_length"
            ),
            # An eval always has a gate and a verdict; only a trace may be kept on the plan.
            models.CheckConstraint(
                condition=models.Q(kind="trace")
                | (models.Q(gate__isnull=False) & ~models.Q(outcome="")),
                name="receipt_eval_has_gate_and_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:8]})"

    @property
    def verdict_label(self) -> str:
        return self.get_outcome_display()

    @property
    def value_text(self) -> str:
        return "" if self.value is None else f"{self.value.normalize():f}"

    @property
    def source(self) -> str:
        """ "promptfoo 0.121.20, results.json, sha256 4be1…": where the verdict came from."""
        tool = " ".join(part for part in (self.tool, self.tool_version) if part)
        return ", ".join(
            part for part in (tool, self.filename, f"sha256 {self.sha256[:4]}…") if part
        )

    @property
    def download_url(self) -> str:
        return reverse("receipts:download", args=[self.plan_id, self.pk])
