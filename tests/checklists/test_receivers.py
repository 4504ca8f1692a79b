"""cto/checklists/receivers.py on PostgreSQL: an engagement becoming active gets its checklist."""

from __future__ import annotations

import pytest

from cto.checklists.models import Checklist, ChecklistTemplateVersion
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.users.models import User

pytestmark = pytest.mark.django_db


def test_becoming_active_applies_the_template_for_the_engagements_kind(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User
) -> None:
    for stage in ("qualified", "proposal", "active"):
        engagement = engagement_transition(engagement=engagement, to=stage, by=operator)
    checklist = Checklist.objects.get(engagement=engagement)
    assert checklist.items.count() == len(template.parsed().items_for("ai")) == 19
    assert checklist.items.filter(key="first_trace").exists()
