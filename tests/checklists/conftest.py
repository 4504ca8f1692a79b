"""Fixtures of the checklist tests: the shipped template published, a checklist applied to an
engagement that started two days ago, and where evidence files are stored."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cto.checklists import services
from cto.checklists.models import Checklist, ChecklistItem, ChecklistTemplateVersion
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.engagements.models import Engagement
from cto.users.models import User


@pytest.fixture(autouse=True)
def _every_day_a_working_day(settings) -> None:  # type: ignore[no-untyped-def]
    """The fixtures start engagements a few days before today, so the weekend rule would move
    their due days by the weekday the tests run on; here every day is a working day, and the
    tests of the rule set the working days they need."""
    settings.CHECKLIST_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture
def template() -> ChecklistTemplateVersion:
    checklist_template_load_shipped(publish=True)
    return services.current_template()


@pytest.fixture
def checklist(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User
) -> Checklist:
    Engagement.objects.filter(pk=engagement.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    engagement.refresh_from_db()
    return services.checklist_apply(engagement=engagement, by=operator).checklist


def item(checklist: Checklist, key: str) -> ChecklistItem:
    return checklist.items.get(key=key)


def earliest_open_day(checklist: Checklist) -> int | None:
    checklist.refresh_from_db(fields=["earliest_open_day"])
    return checklist.earliest_open_day


def finish(checklist: Checklist, *, day: int, by: User) -> None:
    """Every live item due on ``day`` marked not applicable, through the service."""
    for due in checklist.items.live().filter(due_day=day):
        services.item_set_status(
            item=due, status="not_applicable", reason="Not here", expected_version=None, by=by
        )
