"""Audit templates for tests (a small hand-made one whose scores are computed by hand), and
audits made through the services."""

from __future__ import annotations

import copy
from typing import Any

import factory

from cto.audits.models import Audit, AuditTemplateVersion
from cto.audits.playbooks import audit_template_load_shipped
from cto.audits.services import (
    TEMPLATE_SLUG,
    AnswerInput,
    audit_answer_save,
    audit_lock,
    audit_open,
)
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import OperatorFactory

LEVELS = ["none", "informal", "defined", "measured", "automated"]


def question(qid: str, nist: str = "measure", cisco: str = "governance") -> dict[str, Any]:
    return {"id": qid, "text": f"Question {qid}?", "nist": nist, "cisco": cisco, "levels": LEVELS}


def small_template(**overrides: Any) -> dict[str, Any]:
    """Two dimensions: evals (weight 3; e1 e2 e3) and team (weight 1; t1 t2 t3)."""
    template: dict[str, Any] = {
        "slug": "small-audit",
        "title": "Small audit",
        "weights_total": 4,
        "weak_below": 60,
        "bands": [
            {"key": "low", "label": "Low", "min": 0},
            {"key": "mid", "label": "Mid", "min": 40},
            {"key": "high", "label": "High", "min": 75},
        ],
        "dimensions": [
            {
                "id": "evals",
                "title": "Evals",
                "weight": 3,
                "recommendation": "Write a first eval.",
                "questions": [
                    question("e1", "measure", "governance"),
                    question("e2", "measure", "data"),
                    question("e3", "manage", "governance"),
                ],
            },
            {
                "id": "team",
                "title": "Team",
                "weight": 1,
                "recommendation": "Hire an AI engineer.",
                "questions": [
                    question("t1", "govern", "talent"),
                    question("t2", "govern", "talent"),
                    question("t3", "map", "culture"),
                ],
            },
        ],
        "red_flags": [
            {
                "id": "agents_without_gates",
                "title": "Agents without gates",
                "when": {
                    "all": [
                        {"intake": {"node": "agents", "choice": "yes"}},
                        {
                            "any": [
                                {"answer": {"question": "e1", "at_most": 1}},
                                {"answer": {"question": "t1", "at_most": 1}},
                            ]
                        },
                    ]
                },
                "why": "Agents act with nothing to stop them.",
                "first_step": "Add a release gate.",
            },
            {
                "id": "weak_evals",
                "title": "Weak evals",
                "when": {"dimension": {"id": "evals", "below": 50}},
                "why": "Nobody knows if changes help.",
                "first_step": "Write a first eval.",
            },
        ],
    }
    template.update(overrides)
    return copy.deepcopy(template)


class AuditFactory(factory.django.DjangoModelFactory):
    """An audit of the engagement, opened through ``audit_open`` (the published template is
    loaded from the playbooks when there is none), every question answered ``level`` by the
    engagement's contact and then locked, unless ``locked=False`` (then left unanswered)."""

    class Meta:
        model = Audit

    engagement = factory.SubFactory(EngagementFactory)
    by = factory.LazyAttribute(lambda audit: audit.engagement.lead or OperatorFactory())
    level = 2
    locked = True

    @classmethod
    def _create(
        cls,
        model_class: type[Audit],
        *,
        engagement: Engagement,
        by: User,
        level: int,
        locked: bool,
    ) -> Audit:
        if AuditTemplateVersion.objects.current(TEMPLATE_SLUG) is None:
            audit_template_load_shipped(publish=True)
        audit = audit_open(engagement=engagement, by=by)
        if not locked:
            return audit
        for question in audit.template_version.parsed().questions:
            audit_answer_save(
                audit=audit,
                raw=AnswerInput(question=question, level=level),
                expected_version=None,
                by=engagement.contact or by,
            )
        return audit_lock(audit=audit, by=by)
