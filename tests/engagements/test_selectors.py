"""Which leads have gone quiet (leads_stale), on PostgreSQL. How long counts as stale, and how
the dashboard words it, is tests/ops/test_selectors.py's. The timeline, its filter and what a
client may see of it."""

from __future__ import annotations

import datetime

import pytest

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.selectors import (
    ACTOR_SYSTEM,
    TIMELINE_RECENT,
    TimelineFilter,
    engagement_timeline,
    leads_stale,
    timeline_choices,
    timeline_events,
)
from cto.engagements.services import activity_record
from cto.engagements.stages import Stage
from cto.users.models import Organization, User
from tests.clock import days_ago, moment
from tests.engagements.factories import EngagementFactory
from tests.users.factories import OperatorFactory, UserFactory

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


# --- The timeline and its filter (issue 25) -----------------------------------------------------


def test_the_filter_offers_the_kinds_and_actors_on_the_timeline_in_one_query(
    engagement: Engagement, operator: User, django_assert_num_queries
) -> None:
    ada = UserFactory(name="ada Lovelace")
    activity_record(engagement=engagement, actor=operator, verb=ActivityEvent.Verb.UPDATED)
    activity_record(engagement=engagement, actor=ada, verb=ActivityEvent.Verb.QUOTE_ACCEPTED)
    activity_record(engagement=engagement, actor=None, verb=ActivityEvent.Verb.CREATED)
    activity_record(engagement=engagement, actor=ada, verb=ActivityEvent.Verb.UPDATED)
    activity_record(engagement=engagement, actor=None, verb="someapp.undeclared")
    other = EngagementFactory()
    activity_record(engagement=other, actor=UserFactory(), verb=ActivityEvent.Verb.AUDIT_OPENED)

    events = timeline_events(user=operator, engagement=engagement)
    with django_assert_num_queries(1):
        choices = timeline_choices(events=events)

    assert choices.kinds == [  # in the order the model declares them
        ("engagement.created", "Created the engagement"),
        ("engagement.updated", "Edited the engagement"),
        ("quote.accepted", "Accepted a quote"),
        ("someapp.undeclared", "Someapp.undeclared"),
    ]
    by_name = sorted(
        [(str(ada.pk), "ada Lovelace"), (str(operator.pk), str(operator))],
        key=lambda pair: pair[1].casefold(),
    )
    assert choices.actors == [*by_name, (ACTOR_SYSTEM, "The system")]


def test_the_timeline_is_narrowed_to_a_kind_an_actor_or_the_system(
    engagement: Engagement, operator: User
) -> None:
    ada = UserFactory()
    by_operator = activity_record(
        engagement=engagement, actor=operator, verb=ActivityEvent.Verb.UPDATED
    )
    by_ada = activity_record(engagement=engagement, actor=ada, verb=ActivityEvent.Verb.UPDATED)
    accepted = activity_record(
        engagement=engagement, actor=ada, verb=ActivityEvent.Verb.QUOTE_ACCEPTED
    )
    by_system = activity_record(engagement=engagement, actor=None, verb=ActivityEvent.Verb.CREATED)
    events = timeline_events(user=operator, engagement=engagement)

    def shown(**wanted: str) -> list[ActivityEvent]:
        timeline = engagement_timeline(events=events, wanted=TimelineFilter(**wanted))
        assert timeline.narrowed == bool(wanted)
        return timeline.events

    assert shown() == [by_system, accepted, by_ada, by_operator]
    assert shown(kind=ActivityEvent.Verb.UPDATED) == [by_ada, by_operator]
    assert shown(actor=str(ada.pk)) == [accepted, by_ada]
    assert shown(actor=ACTOR_SYSTEM) == [by_system]
    assert shown(kind=ActivityEvent.Verb.UPDATED, actor=str(ada.pk)) == [by_ada]
    assert shown(kind=ActivityEvent.Verb.STAGE_CHANGED) == []


def test_a_filtered_timeline_still_stops_at_its_limit_and_says_there_is_more(
    engagement: Engagement, operator: User
) -> None:
    for _ in range(TIMELINE_RECENT + 1):
        activity_record(engagement=engagement, actor=operator, verb=ActivityEvent.Verb.UPDATED)
    activity_record(engagement=engagement, actor=None, verb=ActivityEvent.Verb.CREATED)
    events = timeline_events(user=operator, engagement=engagement)
    timeline = engagement_timeline(events=events, wanted=TimelineFilter(actor=str(operator.pk)))
    assert len(timeline.events) == TIMELINE_RECENT
    assert timeline.more
    assert timeline.announcement == f"The {TIMELINE_RECENT} most recent matching events are shown."
    full = engagement_timeline(
        events=events, wanted=TimelineFilter(actor=str(operator.pk), full=True)
    )
    assert len(full.events) == TIMELINE_RECENT + 1
    assert full.announcement == f"{TIMELINE_RECENT + 1} matching events shown."


def test_a_client_is_offered_no_one_and_nothing_seen_only_on_the_practices_drafts(
    engagement: Engagement, operator: User, client_user: User
) -> None:
    from tests.pricing.factories import QuoteFactory

    drafter = OperatorFactory(name="Drafting Operator")
    QuoteFactory(engagement=engagement, status="draft", by=drafter)
    activity_record(engagement=engagement, actor=operator, verb=ActivityEvent.Verb.UPDATED)

    client_events = timeline_events(user=client_user, engagement=engagement)
    client_choices = timeline_choices(events=client_events)
    assert client_choices.actors == [(str(operator.pk), str(operator))]
    assert client_choices.kinds == [("engagement.updated", "Edited the engagement")]
    narrowed = engagement_timeline(
        events=client_events, wanted=TimelineFilter(actor=str(drafter.pk))
    )
    assert narrowed.events == []

    operator_choices = timeline_choices(
        events=timeline_events(user=operator, engagement=engagement)
    )
    assert (str(drafter.pk), "Drafting Operator") in operator_choices.actors
    assert ("quote.changed", "Changed a quote") in operator_choices.kinds
