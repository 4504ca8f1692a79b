"""Which failed reports still wait (reports_failed), on PostgreSQL. How the dashboard words
them is tests/ops/test_selectors.py's. The practice's text and the owners its editor suggests."""

from __future__ import annotations

import pytest

from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.reports import selectors
from cto.reports.models import Report
from cto.reports.selectors import reports_failed
from cto.reports.services import report_request
from cto.users.models import Organization, User
from tests.reports.conftest import write_text
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def fail(report: Report) -> None:
    """What the worker leaves after its last attempt (report_render sets these)."""
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED, attempts=3, error="ValueError: no fonts\nTraceback ..."
    )


def failed() -> list[Report]:
    return list(reports_failed(limit=10))


def test_a_failed_report_waits_until_a_newer_version_replaces_it(
    engagement: Engagement, operator: User
) -> None:
    report = report_request(engagement=engagement, kind="week_one", by=operator)
    assert failed() == []  # queued is not failed
    fail(report)
    [found] = failed()
    assert found == report
    assert found.waiting_total == 1
    report_request(engagement=engagement, kind="week_one", by=operator)
    assert failed() == []


@pytest.mark.parametrize("stage", [Stage.PAUSED, Stage.COMPLETED, Stage.LOST])
def test_a_resting_engagement_has_no_failed_report_waiting(
    engagement: Engagement, operator: User, stage: Stage
) -> None:
    fail(report_request(engagement=engagement, kind="week_one", by=operator))
    Engagement.objects.filter(pk=engagement.pk).update(stage=stage)
    assert failed() == []


def test_the_editor_suggests_the_engagements_people_and_organisation_only(
    ai_engagement: Engagement, operator: User, other_organization: Organization
) -> None:
    member = MembershipFactory(organization=ai_engagement.organization, user__name="Dana Reyes")
    MembershipFactory(organization=other_organization, user__name="Not Theirs")
    owners = selectors.narrative_owners(engagement=ai_engagement)
    assert str(ai_engagement.lead) in owners
    assert str(ai_engagement.contact) in owners
    assert str(member.user) in owners
    assert owners[-1] == ai_engagement.organization.name
    assert "Not Theirs" not in owners
    assert len(owners) == len(set(owners))


def test_the_text_of_a_kind_is_a_blank_one_until_written(
    ai_engagement: Engagement, operator: User
) -> None:
    blank = selectors.narrative_get(engagement=ai_engagement, kind="audit")
    assert (blank.pk, blank.version, blank.is_written) == (None, 0, False)
    write_text(ai_engagement, "audit", by=operator)
    written = selectors.narrative_get(engagement=ai_engagement, kind="audit")
    assert (written.version, written.is_written, written.updated_by) == (1, True, operator)
