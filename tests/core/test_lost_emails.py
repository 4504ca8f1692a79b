"""Emails whose message the broker never took (it was away when they were asked for) are sent
by the periodic sweeps once it is back: each row unsent past the late mark, and only once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.engagements import services as engagement_services
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.intake.emails import intake_notifications_sweep, intake_notify_submitted
from cto.intake.models import IntakeResponse, TreeVersion
from cto.users import services as user_services
from cto.users.models import Membership, Organization, User
from tests.core.test_broker_down import _use_broker
from tests.core.test_broker_down import broker_down as broker_down  # the fixture
from tests.intake.test_views import CONTACT, walk_to_result
from tests.intake.test_views import version as version  # the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _late(settings: Settings) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_LATE_AFTER_SECONDS + 1)


def test_a_lead_submitted_while_the_broker_was_down_is_emailed_once_it_is_back(
    client: Client, version: TreeVersion, broker_down: None, settings: Settings
) -> None:
    walk_to_result(client, version)
    assert client.post(reverse("intake:result"), CONTACT).status_code == 303
    response = IntakeResponse.objects.get()
    assert response.notified_at is None

    assert intake_notifications_sweep() == []  # not late yet: its message may be on its way
    assert intake_notifications_sweep(now=_late(settings)) == []  # still down: next time
    _use_broker(str(settings.CELERY_BROKER_URL))  # the broker is back
    assert intake_notifications_sweep(now=_late(settings)) == [response.pk]

    # What the queued task does: send once and stamp, so later sweeps leave it alone.
    assert intake_notify_submitted(response_id=response.pk) > 0
    assert any(CONTACT["email"] in message.to for message in mail.outbox)
    assert intake_notifications_sweep(now=_late(settings)) == []


def test_news_older_than_the_give_up_age_is_left_unsent(
    client: Client, version: TreeVersion, broker_down: None, settings: Settings
) -> None:
    walk_to_result(client, version)
    assert client.post(reverse("intake:result"), CONTACT).status_code == 303
    _use_broker(str(settings.CELERY_BROKER_URL))
    stale = timezone.now() + datetime.timedelta(
        hours=settings.NOTIFICATION_GIVE_UP_AFTER_HOURS, seconds=1
    )
    assert intake_notifications_sweep(now=stale) == []


def test_an_unsent_event_email_is_swept_until_it_is_sent(
    engagement: Engagement, operator: User, settings: Settings
) -> None:
    engagement_services.engagement_transition(
        engagement=engagement, to=Stage.QUALIFIED, by=operator
    )
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
    assert event.notified_at is None  # no worker runs in this test: its message waits
    assert engagement_services.event_notifications_sweep(now=_late(settings)) == [event.pk]
    engagement_services.event_notify(event_id=event.pk)
    assert engagement_services.event_notifications_sweep(now=_late(settings)) == []


def test_an_unsent_invitation_is_swept_until_it_is_sent(
    organization: Organization, settings: Settings
) -> None:
    owner = User.objects.create_user(email="owner@acme.example")
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    invitation = user_services.invitation_send(
        organization=organization, email="new@acme.example", role=Membership.Role.MEMBER, by=owner
    )
    assert user_services.invitation_emails_sweep(now=_late(settings)) == [invitation.pk]
    assert user_services.invitation_email_send(invitation_id=invitation.pk)
    assert user_services.invitation_emails_sweep(now=_late(settings)) == []
