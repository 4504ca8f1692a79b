from __future__ import annotations

from dataclasses import dataclass

import pytest

from cto.aiplan.models import AIPlan
from cto.aiplan.services import plan_start
from cto.audits import services as audit_services
from cto.audits.models import Audit
from cto.checklists import services as checklist_services
from cto.checklists.models import ChecklistItem
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.playbooks.loading import playbooks_load
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory, OperatorFactory, OrganizationFactory


@dataclass
class World:
    operator: User
    member: User  # of the engagement's organisation
    outsider: User  # of another organisation
    engagement: Engagement
    audit: Audit
    plan: AIPlan
    client_item: ChecklistItem  # an item the client's side owns
    practice_item: ChecklistItem  # one the practice owns


def make_world() -> World:
    """An AI engagement with an open audit, a plan and a checklist, its client member, a member
    of another organisation and an operator."""
    playbooks_load(publish=True)
    operator = OperatorFactory(name="Olga Operator")
    organization = OrganizationFactory(name="Acme Robotics")
    member = MembershipFactory(organization=organization, user__name="Ada Lovelace").user
    outsider = MembershipFactory(organization=OrganizationFactory(name="Globex")).user
    engagement = EngagementFactory(organization=organization, kind="ai", lead=operator)
    engagement = engagement_transition(engagement=engagement, to="qualified", by=operator)
    audit = audit_services.audit_open(engagement=engagement, by=operator)
    plan = plan_start(engagement=engagement, by=operator)
    checklist = checklist_services.checklist_apply(engagement=engagement, by=operator).checklist
    return World(
        operator=operator,
        member=member,
        outsider=outsider,
        engagement=Engagement.objects.get(pk=engagement.pk),
        audit=audit,
        plan=plan,
        client_item=checklist.items.get(key="access_granted"),
        practice_item=checklist.items.get(key="risk_map"),
    )


@pytest.fixture
def world(db: None) -> World:
    return make_world()
