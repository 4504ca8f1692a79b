"""Demo data for `make run`: an operator, two client organisations and engagements in
several stages, built through the same services the product uses. Idempotent: what exists
already is left as it is."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from django.db import transaction

from cto.audits.playbooks import load_shipped_audit_templates
from cto.audits.services import AnswerInput, audit_answer_save, audit_lock, audit_open
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_create, engagement_transition
from cto.engagements.stages import Stage
from cto.intake.playbooks import load_shipped_trees
from cto.users.models import Membership, User
from cto.users.services import (
    membership_ensure,
    organization_get_or_create,
    user_get_or_create,
    user_mark_email_verified,
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


OPERATOR = DemoLogin("operator", "operator@example.com", "demo-operator-pass")
CLIENTS = (
    # (login, name, organisation)
    (
        DemoLogin("client", "ada@northwind.example", "demo-client-pass"),
        "Ada Lovell",
        "Northwind Analytics",
    ),
    (
        DemoLogin("client", "sam@brightline.example", "demo-client-pass"),
        "Sam Okafor",
        "Brightline Logistics",
    ),
)
# (organisation, title, kind, the stages it walks through after `lead`)
ENGAGEMENTS = (
    ("Northwind Analytics", "AI support agent to production", "ai", (Stage.QUALIFIED, Stage.AUDIT)),
    ("Northwind Analytics", "Retrieval quality review", "ai", ()),
    (
        "Brightline Logistics",
        "Platform modernisation",
        "generic",
        (Stage.QUALIFIED, Stage.PROPOSAL, Stage.ACTIVE),
    ),
    ("Brightline Logistics", "Warehouse data platform", "generic", (Stage.QUALIFIED, Stage.PAUSED)),
)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create what is missing of the demo data and return the logins to print."""
    load_shipped_trees(publish=True)
    load_shipped_audit_templates(publish=True)
    operator, created = user_get_or_create(
        email=OPERATOR.email, name="Olivia Operator", password=OPERATOR.password, is_staff=True
    )
    if created:
        # The demo operator administers everything; real operators get permissions per group.
        operator.is_superuser = True
        operator.save(update_fields=["is_superuser"])
    user_mark_email_verified(user=operator)

    organizations = {}
    for login, name, organization_name in CLIENTS:
        client, _ = user_get_or_create(email=login.email, name=name, password=login.password)
        user_mark_email_verified(user=client)
        organization, _ = organization_get_or_create(name=organization_name)
        membership_ensure(organization=organization, user=client, role=Membership.Role.OWNER)
        organizations[organization_name] = (organization, client)

    for organization_name, title, kind, stages in ENGAGEMENTS:
        organization, client = organizations[organization_name]
        if Engagement.objects.filter(organization=organization, title=title).exists():
            continue
        engagement = engagement_create(
            organization=organization,
            title=title,
            kind=kind,
            lead=operator,
            contact=client,
            by=operator,
        )
        for stage in stages:
            engagement = engagement_transition(engagement=engagement, to=stage, by=operator)

    _seed_audits(operator)
    return [OPERATOR, *(login for login, _, _ in CLIENTS)]


def _seed_audits(operator: User) -> None:
    """Two locked audits on the AI engagement, the second better, so progress shows."""
    engagement = Engagement.objects.get(title="AI support agent to production")
    if engagement.audits.exists():
        return
    client = engagement.contact or operator
    for round_number in (1, 2):
        audit = audit_open(engagement=engagement, by=operator)
        for question in audit.template_version.parsed().questions:
            spread = zlib.crc32(question.encode()) % 3  # a stable, varied starting point
            level = spread if round_number == 1 else min(4, spread + 1 + spread % 2)
            audit_answer_save(
                audit=audit,
                raw=AnswerInput(question=question, value=str(level)),
                expected_version=None,
                by=client,
            )
        audit_lock(audit=audit, by=operator)
