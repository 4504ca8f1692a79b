"""Which checklists have overdue items (checklists_overdue), on PostgreSQL. How the dashboard
words them is tests/ops/test_selectors.py's."""

from __future__ import annotations

import pytest

from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.checklists.selectors import checklists_overdue
from cto.checklists.services import current_template
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.users.models import Organization, User
from tests.clock import TODAY, days_ago
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(organization: Organization, operator: User) -> Engagement:
    """An active engagement whose day 1 was six days ago (TODAY is day 7)."""
    return EngagementFactory(
        organization=organization,
        title="Claims agent",
        stage=Stage.ACTIVE,
        start_date=days_ago(6),
        lead=operator,
    )


def checklist_item(engagement: Engagement, *, due_day: int, title: str, **fields: object) -> None:
    if not Checklist.objects.filter(engagement=engagement).exists():
        checklist_template_load_shipped(publish=True)
        Checklist.objects.create(engagement=engagement, template_version=current_template())
    ChecklistItem.objects.create(
        checklist=engagement.checklist,
        section="Access",
        title=title,
        done_when="Proof",
        owner_side="client",
        due_day=due_day,
        **fields,
    )
    # As the checklist services do with each item they open, finish, add or drop.
    Checklist.objects.filter(engagement=engagement).refresh_earliest_open_day()


def overdue() -> list[Checklist]:
    return list(checklists_overdue(today=TODAY, limit=10))


def test_a_checklist_with_an_item_due_yesterday_is_found_with_what_it_shows(
    running: Engagement,
) -> None:
    checklist_item(running, due_day=5, title="Risk map")
    checklist_item(running, due_day=2, title="Access granted")
    checklist_item(running, due_day=9, title="Not yet due")
    [checklist] = overdue()
    assert checklist.engagement == running
    assert checklist.oldest_due == days_ago(5)
    assert checklist.oldest_title == "Access granted"
    assert checklist.overdue_count == 2
    assert checklist.waiting_total == 1


def test_an_item_due_today_is_not_overdue_yet(running: Engagement) -> None:
    checklist_item(running, due_day=7, title="Access granted")
    assert overdue() == []


def test_finished_items_are_never_overdue(running: Engagement) -> None:
    checklist_item(
        running, due_day=1, title="Not for us", status="not_applicable", status_reason="No cloud"
    )
    assert overdue() == []


@pytest.mark.parametrize("stage", [Stage.PAUSED, Stage.COMPLETED, Stage.LOST])
def test_a_resting_engagement_has_nothing_overdue(running: Engagement, stage: Stage) -> None:
    checklist_item(running, due_day=1, title="Access granted")
    Engagement.objects.filter(pk=running.pk).update(stage=stage)
    assert overdue() == []


def test_the_limit_caps_the_rows_not_the_total(running: Engagement) -> None:
    others = [
        EngagementFactory(
            organization=running.organization, stage=Stage.ACTIVE, start_date=days_ago(6)
        )
        for _ in range(2)
    ]
    for engagement in [running, *others]:
        checklist_item(engagement, due_day=1, title="Access granted")
    [first] = checklists_overdue(today=TODAY, limit=1)
    assert first.waiting_total == 3
