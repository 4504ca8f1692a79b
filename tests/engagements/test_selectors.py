"""Which leads have gone quiet (leads_stale), on PostgreSQL. How long counts as stale, and how
the dashboard words it, is tests/ops/test_selectors.py's."""

from __future__ import annotations

import datetime

import pytest

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.selectors import leads_stale
from cto.engagements.services import activity_record
from cto.engagements.stages import Stage
from cto.users.models import Organization
from tests.clock import days_ago, moment
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db
CUTOFF = moment(days_ago(1), 0)


def lead_last_active_at(when: datetime.datetime, organization: Organization) -> Engagement:
    engagement = EngagementFactory(organization=organization, stage=Stage.LEAD)
    event = activity_record(engagement=engagement, actor=None, verb=ActivityEvent.Verb.CREATED)
    ActivityEvent.objects.filter(pk=event.pk).update(created_at=when)
    Engagement.objects.filter(pk=engagement.pk).update(created_at=when - datetime.timedelta(days=1))
    return engagement


def stale() -> list[Engagement]:
    return list(leads_stale(quiet_before=CUTOFF, limit=10))


def test_a_lead_last_active_before_the_cutoff_is_stale(organization: Organization) -> None:
    lead = lead_last_active_at(moment(days_ago(2), 23, 59, 59), organization)
    [found] = stale()
    assert found == lead
    assert found.last_activity == moment(days_ago(2), 23, 59, 59)
    assert found.waiting_total == 1


def test_a_lead_active_since_the_cutoff_is_not(organization: Organization) -> None:
    lead_last_active_at(CUTOFF, organization)
    assert stale() == []


def test_the_latest_event_counts_not_the_first(organization: Organization) -> None:
    lead = lead_last_active_at(moment(days_ago(9)), organization)
    later = activity_record(engagement=lead, actor=None, verb=ActivityEvent.Verb.UPDATED)
    ActivityEvent.objects.filter(pk=later.pk).update(created_at=moment(days_ago(1)))
    assert stale() == []


def test_only_leads_go_stale(organization: Organization) -> None:
    lead = lead_last_active_at(moment(days_ago(9)), organization)
    Engagement.objects.filter(pk=lead.pk).update(stage=Stage.QUALIFIED)
    assert stale() == []
