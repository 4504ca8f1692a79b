"""Decision trees in numbered, immutable versions, and the responses answered on them."""

from __future__ import annotations

import secrets

from django.db import models
from django.urls import reverse

from cto.core.versioning import (
    ContentParent,
    ContentVersion,
    ContentVersionQuerySet,
    version_constraints,
)
from cto.intake import tree as tree_module


class DecisionTree(ContentParent):
    class Meta:
        ordering = ["slug"]


class TreeVersion(ContentVersion):
    """One version of a tree. Once published it never changes; an edit is a new version."""

    tree = models.ForeignKey(DecisionTree, on_delete=models.PROTECT, related_name="versions")
    parent_field = "tree"
    parse_definition = staticmethod(tree_module.parse)

    objects = ContentVersionQuerySet["TreeVersion"].as_manager()

    class Meta:
        ordering = ["tree__slug", "-number"]
        constraints = version_constraints(parent_field="tree", prefix="tree")

    def parsed(self) -> tree_module.Tree:
        return super().parsed()


class IntakeResponseQuerySet(models.QuerySet["IntakeResponse"]):
    def with_version(self) -> IntakeResponseQuerySet:
        # The definition is parsed once per process (TreeVersion.parsed), so a request need
        # not fetch and decode it again: it loads only on a cache miss.
        return self.select_related("tree_version__tree").defer("tree_version__definition")

    def unproven(self) -> IntakeResponseQuerySet:
        """Submitted leads whose contact has not proved the address they typed."""
        return self.filter(status=IntakeResponse.Status.SUBMITTED, contact_proven_at=None)


class IntakeResponse(models.Model):
    """One prospect's answers on one tree version, from the first question to a lead."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    tree_version = models.ForeignKey(
        TreeVersion, on_delete=models.PROTECT, related_name="responses"
    )
    # The bearer secret of the resume link; also what the prospect's cookie holds.
    token = models.CharField(
        max_length=64, unique=True, default=secrets.token_urlsafe, editable=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    # {node id: {"choices": [...]}} or {node id: {"text": "..."}}; the path is derived by
    # walking the tree from its start (tree.walk), so answers off the path never count.
    answers = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=64, blank=True, help_text="The outcome node reached")
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="First reached an outcome")
    submitted_at = models.DateTimeField(null=True, blank=True)
    resume_email = models.EmailField(blank=True, help_text="Where the resume link was sent")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    company = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    engagement = models.OneToOneField(
        "engagements.Engagement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_response",
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    # A typed address is a claim: until its owner proves it (the link in the result email, or
    # signing in as that address), the lead belongs to nobody (see claims.intake_lead_prove).
    contact_proven_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_proven_by = models.ForeignKey(
        "users.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The owner of the address said "this was not me": the lead stays unproven for good.
    contact_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Known organisation names and email domains the lead's look like (lookalikes.Lookalike
    # as data), found at submission and shown to operators.
    lookalikes = models.JSONField(default=list, blank=True, editable=False)

    objects = IntakeResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="in_progress")
                | (
                    models.Q(submitted_at__isnull=False)
                    & ~models.Q(contact_email="")
                    & models.Q(consent_at__isnull=False)
                ),
                name="intake_submitted_has_contact_and_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["tree_version", "status"], name="intake_version_status"),
            # Every sign-in looks for the unproven leads of the address (receivers.py).
            models.Index(
                fields=["contact_email"],
                condition=models.Q(status="submitted", contact_proven_at=None),
                name="intake_unproven_contact",
            ),
        ]

    def __str__(self) -> str:
        who = self.contact_email or "anonymous"
        return f"Intake {self.pk} by {who} ({self.get_status_display()})"

    @property
    def contact_proven(self) -> bool:
        return self.contact_proven_at is not None

    @property
    def unproven_lead(self) -> bool:
        """A submitted lead whose contact has not proved their address (operators are told)."""
        return self.status == self.Status.SUBMITTED and self.contact_proven_at is None

    def walk(self) -> tree_module.Walk:
        return tree_module.walk(self.tree_version.parsed(), self.answers)

    def get_resume_url(self) -> str:
        return reverse("intake:resume", kwargs={"token": self.token})


class IntakeVisit(models.Model):
    """The first time a response reached a node: the funnel counts these."""

    response = models.ForeignKey(IntakeResponse, on_delete=models.CASCADE, related_name="visits")
    node = models.CharField(max_length=64)
    reached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "node"], name="intake_visit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} reached {self.node}"
