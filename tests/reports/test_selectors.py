"""Which failed reports still wait (reports_failed), on PostgreSQL. How the dashboard words
them is tests/ops/test_selectors.py's."""

from __future__ import annotations

import pytest

from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.reports.models import Report
from cto.reports.selectors import reports_failed
from cto.reports.services import report_request
from cto.users.models import User

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
