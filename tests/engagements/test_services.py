"""The engagement services against PostgreSQL: transitions, the timeline, concurrency, mail."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from cto.engagements import services
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.users.models import Organization, User
from tests.users.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_create_starts_at_lead_and_records_the_event(
    organization: Organization, operator: User
) -> None:
    engagement = services.engagement_create(
        organization=organization, title="Agents in production", kind="ai", by=operator
    )
    assert engagement.stage == Stage.LEAD
    assert engagement.version == 1
    event = engagement.events.get()
    assert (event.verb, event.actor, event.data) == (
        ActivityEvent.Verb.CREATED,
        operator,
        {"kind": "ai"},
    )


def test_create_refuses_an_unknown_kind_and_writes_nothing(
    organization: Organization, operator: User
) -> None:
    with pytest.raises(services.ValidationError) as raised:
        services.engagement_create(
            organization=organization, title="x", kind="quantum", by=operator
        )
    assert "kind" in raised.value.message_dict
    assert not Engagement.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_transition_moves_the_stage_bumps_the_version_and_records_an_event(
    engagement: Engagement, operator: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        moved = services.engagement_transition(
            engagement=engagement, to=Stage.QUALIFIED, by=operator, note="Good fit"
        )
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    assert engagement.version == moved.version == 2
    assert engagement.stage_changed_at is not None
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
    assert event.actor == operator
    assert event.data == {"from": "lead", "to": "qualified", "note": "Good fit"}
    assert event.summary == "Stage moved from Lead to Qualified"
    # The notification is published only after the commit, never from inside it.
    assert len(callbacks) == 1


def test_illegal_transition_raises_a_clear_error_and_changes_nothing(
    engagement: Engagement, operator: User, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(services.TransitionError) as raised,
    ):
        services.engagement_transition(engagement=engagement, to=Stage.ACTIVE, by=operator)
    assert raised.value.messages == [
        "An engagement at “Lead” cannot move to “Active”; "
        "it can move to “Qualified”, “Lost”, “Paused”."
    ]
    engagement.refresh_from_db()
    assert (engagement.stage, engagement.version) == (Stage.LEAD, 1)
    assert not engagement.events.exists()
    assert callbacks == []


def test_pause_remembers_the_stage_and_resume_returns_to_it(
    engagement: Engagement, operator: User
) -> None:
    for stage in (Stage.QUALIFIED, Stage.AUDIT, Stage.PAUSED):
        engagement = services.engagement_transition(engagement=engagement, to=stage, by=operator)
    assert engagement.paused_from == Stage.AUDIT
    with pytest.raises(services.TransitionError):
        services.engagement_transition(engagement=engagement, to=Stage.ACTIVE, by=operator)
    engagement = services.engagement_transition(engagement=engagement, to=Stage.AUDIT, by=operator)
    assert (engagement.stage, engagement.paused_from) == (Stage.AUDIT, "")


def test_becoming_active_sets_the_start_date_when_missing(
    engagement: Engagement, operator: User
) -> None:
    for stage in (Stage.QUALIFIED, Stage.PROPOSAL, Stage.ACTIVE):
        engagement = services.engagement_transition(engagement=engagement, to=stage, by=operator)
    assert engagement.start_date is not None


def test_transition_with_a_stale_version_is_refused(engagement: Engagement, operator: User) -> None:
    seen = engagement.version
    services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
    with pytest.raises(services.StaleEngagementError, match="changed by someone else"):
        services.engagement_transition(
            engagement=engagement, to=Stage.LOST, by=operator, expected_version=seen
        )
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_cannot_both_win(operator: User) -> None:
    """Two operators qualify the same lead at the same instant: one wins, one is told."""
    engagement = services.engagement_create(
        organization=OrganizationFactory(), title="Race", by=operator
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def qualify() -> None:
        try:
            barrier.wait()
            services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
            outcomes.append("moved")
        except services.TransitionError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=qualify) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["The engagement is already at stage “Qualified”.", "moved"]
    engagement.refresh_from_db()
    assert engagement.version == 2
    assert engagement.events.filter(verb=ActivityEvent.Verb.STAGE_CHANGED).count() == 1


def test_update_records_the_changed_fields(engagement: Engagement, operator: User) -> None:
    updated = services.engagement_update(
        engagement=engagement,
        by=operator,
        expected_version=engagement.version,
        title="Renamed",
        kind="generic",
        lead=operator,
    )
    assert (updated.title, updated.kind, updated.version) == ("Renamed", "generic", 2)
    event = engagement.events.get(verb=ActivityEvent.Verb.UPDATED)
    assert event.data == {"fields": ["kind", "title"]}  # the lead was already the operator
    assert event.summary == "Edited kind, title"


def test_update_against_a_stale_version_is_refused_and_overwrites_nothing(
    engagement: Engagement, operator: User
) -> None:
    seen = engagement.version
    services.engagement_update(
        engagement=engagement, by=operator, expected_version=seen, title="First writer"
    )
    with pytest.raises(services.StaleEngagementError):
        services.engagement_update(
            engagement=engagement, by=operator, expected_version=seen, title="Second writer"
        )
    engagement.refresh_from_db()
    assert engagement.title == "First writer"


def test_update_refuses_the_stage(engagement: Engagement, operator: User) -> None:
    with pytest.raises(ValueError, match="stage"):
        services.engagement_update(
            engagement=engagement, by=operator, expected_version=1, stage="active"
        )


def test_stage_change_mail_goes_to_each_member_and_the_lead_once(
    engagement: Engagement, operator: User, settings
) -> None:
    settings.OPERATOR_NOTIFICATION_EMAIL = "Team@Practice.example"
    first = MembershipFactory(organization=engagement.organization).user
    second = MembershipFactory(organization=engagement.organization).user
    MembershipFactory(organization=engagement.organization, user__is_active=False)
    MembershipFactory()  # someone of another organisation hears nothing
    engagement = services.engagement_transition(
        engagement=engagement, to=Stage.QUALIFIED, by=operator
    )
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)

    sent = services.event_notify(event_id=event.pk)

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert sent == 4
    assert recipients == sorted(
        [first.email, second.email, operator.email, "team@practice.example"]
    )
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert mail.outbox[0].subject == f"[cto] {engagement.title}: Stage moved from Lead to Qualified"
    assert f"/portal/engagements/{engagement.pk}/" in mail.outbox[0].body
    event.refresh_from_db()
    assert event.notified_at is not None


def test_stage_change_mail_is_sent_once_when_the_task_runs_twice(
    engagement: Engagement, operator: User
) -> None:
    MembershipFactory(organization=engagement.organization)
    engagement = services.engagement_transition(
        engagement=engagement, to=Stage.QUALIFIED, by=operator
    )
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
    assert services.event_notify(event_id=event.pk) == 2
    assert services.event_notify(event_id=event.pk) == 0
    assert len(mail.outbox) == 2


def test_notify_for_a_missing_event_does_nothing() -> None:
    assert services.event_notify(event_id=987654) == 0
    assert mail.outbox == []
