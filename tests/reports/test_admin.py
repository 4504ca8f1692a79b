"""cto/reports/admin.py through the admin: the generate and retry actions call the services."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from cto.engagements.models import ActivityEvent, Engagement
from cto.reports.models import Report
from cto.users.models import User

pytestmark = pytest.mark.django_db


def test_admin_actions_generate_and_retry_through_the_services(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    client.force_login(operator)
    client.post(
        reverse("admin:engagements_engagement_changelist"),
        {"action": "generate_week_one", ACTION_CHECKBOX_NAME: [ai_engagement.pk]},
    )
    report = Report.objects.get()
    assert (report.kind, report.requested_by) == ("week_one", operator)
    Report.objects.filter(pk=report.pk).update(status="failed", attempts=3)
    client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "retry", ACTION_CHECKBOX_NAME: [report.pk]},
    )
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("queued", 0)
    assert ai_engagement.events.filter(
        verb=ActivityEvent.Verb.REPORT_CHANGED, data__change="Week-one deliverable v1 retried"
    ).exists()
