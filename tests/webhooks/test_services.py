"""The outbox, signing, sending, retries, replay, ordering and disabling, against a real local
receiver (tests/webhooks/conftest.py)."""

from __future__ import annotations

import datetime
import json
import socket
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record, engagement_transition
from cto.playbooks.loading import playbooks_load
from cto.pricing import services as pricing_services
from cto.reports import narratives
from cto.users.models import Membership, Organization, User
from cto.webhooks import services
from cto.webhooks.models import Delivery, Endpoint
from cto.webhooks.sending import signed_headers
from tests.users.factories import MembershipFactory, OrganizationFactory
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db

ALL = [value for value, _ in services.event_types()]


def _practice_endpoint(receiver: Receiver, operator: User, types: list[str] = ALL) -> Endpoint:
    return services.endpoint_create(
        organization=None, url=receiver.url, description="", types=types, by=operator
    ).endpoint


def _organization_endpoint(receiver: Receiver, organization: Organization) -> Endpoint:
    owner = MembershipFactory(organization=organization, role=Membership.Role.OWNER).user
    return services.endpoint_create(
        organization=organization, url=receiver.url, description="", types=ALL, by=owner
    ).endpoint


def _move(engagement: Engagement, operator: User, to: str = "qualified") -> Engagement:
    return engagement_transition(engagement=engagement, to=to, by=operator)


class Boom(Exception):
    pass


def test_a_kept_change_writes_one_delivery_per_endpoint_and_a_rolled_back_one_none(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    endpoint = _practice_endpoint(receiver, operator)
    written = []

    def change_then_fail() -> None:
        with transaction.atomic():
            _move(engagement, operator)
            written.append(Delivery.objects.count())  # written with the event...
            raise Boom

    with pytest.raises(Boom):
        change_then_fail()
    assert written == [1]
    assert not Delivery.objects.exists()  # ... and gone with it
    assert not ActivityEvent.objects.exists()

    _move(engagement, operator)
    (delivery,) = Delivery.objects.all()
    assert delivery.endpoint == endpoint
    assert delivery.status == "pending"
    assert delivery.message_id.startswith("msg_")
    body = json.loads(delivery.body)
    event = ActivityEvent.objects.get()
    assert body == {
        "type": "engagement.stage_changed",
        "timestamp": event.created_at.isoformat(),
        "data": {
            "id": event.pk,
            "engagement": {"id": engagement.pk, "title": engagement.title},
            "summary": "Stage moved from Lead to Qualified",
            "data": {"from": "lead", "to": "qualified"},
        },
    }
    assert endpoint.secret not in delivery.body


def test_an_endpoint_gets_only_the_kinds_it_subscribes_to(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    _practice_endpoint(receiver, operator, types=["quote.accepted"])
    _move(engagement, operator)
    assert not Delivery.objects.exists()


def test_an_endpoint_that_is_off_gets_nothing(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    endpoint = _practice_endpoint(receiver, operator)
    services.endpoint_update(
        endpoint=endpoint, url=receiver.url, description="", types=ALL, active=False, by=operator
    )
    _move(engagement, operator)
    assert not Delivery.objects.exists()


def test_an_organisation_endpoint_never_gets_another_organisations_events(
    receiver: Receiver,
    engagement: Engagement,
    foreign_engagement: Engagement,
    operator: User,
) -> None:
    practice = _practice_endpoint(receiver, operator)
    ours = _organization_endpoint(receiver, engagement.organization)
    theirs = _organization_endpoint(receiver, foreign_engagement.organization)
    _move(engagement, operator)
    _move(foreign_engagement, operator)
    sent = {(d.endpoint_id, d.engagement_id) for d in Delivery.objects.all()}
    assert sent == {
        (practice.pk, engagement.pk),
        (practice.pk, foreign_engagement.pk),
        (ours.pk, engagement.pk),
        (theirs.pk, foreign_engagement.pk),
    }


def test_an_organisation_endpoint_gets_nothing_its_client_may_not_see(
    receiver: Receiver, organization: Organization, operator: User
) -> None:
    playbooks_load(publish=True)
    engagement = Engagement.objects.create(organization=organization, title="AI", kind="ai")
    practice = _practice_endpoint(receiver, operator)
    ours = _organization_endpoint(receiver, organization)
    # The practice's work in progress: a draft quote and the report's text.
    quote = pricing_services.quote_draft(
        engagement=engagement, tier_keys=["ai-cto-lead"], by=operator
    )
    narratives.narrative_save(
        engagement=engagement,
        kind="week_one",
        summary="Draft thoughts.",
        findings="",
        risks="",
        next_steps=[],
        expected_version=None,
        by=operator,
    )
    hidden = set(ActivityEvent.objects.values_list("pk", flat=True))
    assert hidden
    assert set(practice.deliveries.values_list("event_id", flat=True)) == hidden
    assert not ours.deliveries.exists()
    # Once sent, the quote is the client's: its sending reaches their endpoint.
    pricing_services.quote_send(quote=quote, by=operator)
    sent = ours.deliveries.get()
    assert sent.event_type == "quote.changed"
    assert sent.event_id not in hidden


def test_an_organisation_endpoint_gets_the_summary_but_not_the_practices_details(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    practice = _practice_endpoint(receiver, operator)
    ours = _organization_endpoint(receiver, engagement.organization)
    # As an intake's look-alike check records it: another organisation's name.
    activity_record(
        engagement=engagement,
        actor=None,
        verb=ActivityEvent.Verb.INTAKE_SUBMITTED,
        data={"outcome_title": "AI CTO", "lookalikes": [{"existing": "Globex Freight"}]},
    )
    theirs = json.loads(ours.deliveries.get().body)["data"]
    assert theirs["summary"] == "Intake sent: recommended AI CTO"
    assert "data" not in theirs
    assert "Globex" not in ours.deliveries.get().body
    assert "Globex" in practice.deliveries.get().body


def test_a_delivery_is_signed_as_standard_webhooks_verifies(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    endpoint = _practice_endpoint(receiver, operator)
    _move(engagement, operator)
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) == "delivered"
    (request,) = receiver.requests
    assert request.path == "/hook"
    assert request.headers["webhook-id"] == delivery.message_id
    verified = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert verified["data"]["engagement"]["id"] == engagement.pk
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(
            request.body.replace(b"Qualified", b"Completed"), request.headers
        )
    with pytest.raises(WebhookVerificationError):
        Webhook(services.secret_make()).verify(request.body, request.headers)
    old = signed_headers(
        secret=endpoint.secret,
        message_id=delivery.message_id,
        body=delivery.body,
        at=timezone.now() - datetime.timedelta(minutes=10),
    )
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(endpoint.secret).verify(delivery.body, old)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.succeeded, attempt.excerpt) == (200, True, "answered 200")


def test_a_failed_attempt_is_retried_on_the_backoff_schedule(
    receiver: Receiver, engagement: Engagement, operator: User, settings: Any
) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    endpoint = _practice_endpoint(receiver, operator)
    receiver.status = 500
    _move(engagement, operator)
    delivery = Delivery.objects.get()
    before = timezone.now()
    assert services.delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert before + datetime.timedelta(seconds=29) < delivery.next_attempt_at
    assert delivery.next_attempt_at < timezone.now() + datetime.timedelta(seconds=31)
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.excerpt) == (500, "answered 500")
    # Not due yet: a second task does nothing.
    assert services.delivery_attempt(delivery_id=delivery.pk) == "not due"
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    # Due again after a second failure: the wait doubles.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert services.delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=59)
    assert len(receiver.requests) == 2
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.message_id}


def test_a_delivery_still_failing_after_the_window_is_failed(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    _practice_endpoint(receiver, operator)
    receiver.status = 503
    _move(engagement, operator)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=20, first_attempt_at=timezone.now() - datetime.timedelta(hours=24, seconds=1)
    )
    assert services.delivery_attempt(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.failed_at is not None
    assert delivery.next_attempt_at is None


def test_a_redirect_is_not_followed(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    _practice_endpoint(receiver, operator)
    receiver.status = 302
    receiver.location = f"http://127.0.0.1:{receiver.port}/elsewhere"
    _move(engagement, operator)
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) == "retry"
    assert [r.path for r in receiver.requests] == ["/hook"]
    assert delivery.attempt_log.get().status_code == 302


def test_the_address_is_checked_again_at_send_time(
    receiver: Receiver, engagement: Engagement, operator: User, settings: Any
) -> None:
    _practice_endpoint(receiver, operator)
    _move(engagement, operator)
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # as in production: loopback refused
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) == "retry"
    assert not receiver.requests
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert attempt.excerpt.startswith("Not sent")
    assert "loopback" in attempt.excerpt


def test_the_connection_goes_to_the_address_that_was_checked(
    receiver: Receiver,
    engagement: Engagement,
    operator: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name that resolves to an allowed address for the check and to another one a moment
    later (DNS rebinding) is sent to the address checked: the name is resolved once a send."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.9.9.9", "10.9.9.9", "10.9.9.9"])
    asked = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.rebind.test":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = f"http://hooks.rebind.test:{receiver.port}/hook"
    endpoint = services.endpoint_create(
        organization=None, url=url, description="", types=ALL, by=operator
    ).endpoint
    asked.clear()
    answers = iter(["127.0.0.1", "10.9.9.9"])
    _move(engagement, operator)
    assert services.delivery_attempt(delivery_id=endpoint.deliveries.get().pk) == "delivered"
    assert asked == ["hooks.rebind.test"]
    (request,) = receiver.requests
    assert request.headers["Host"] == f"hooks.rebind.test:{receiver.port}"


def test_a_later_delivery_waits_for_an_earlier_one_of_the_same_engagement(
    receiver: Receiver, engagement: Engagement, foreign_engagement: Engagement, operator: User
) -> None:
    _practice_endpoint(receiver, operator)
    receiver.status = 500
    _move(engagement, operator)
    _move(engagement, operator, to="audit")
    _move(foreign_engagement, operator)
    first, second = Delivery.objects.filter(engagement=engagement).order_by("id")
    other = Delivery.objects.get(engagement=foreign_engagement)
    assert services.delivery_attempt(delivery_id=first.pk) == "retry"
    assert services.delivery_attempt(delivery_id=second.pk) == "waiting"
    # Another engagement's queue is its own.
    receiver.status = 200
    assert services.delivery_attempt(delivery_id=other.pk) == "delivered"
    # The sweep queues the head of each queue only, once due.
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert services.deliveries_sweep() == [first.pk]
    assert services.delivery_attempt(delivery_id=first.pk) == "delivered"
    assert services.delivery_attempt(delivery_id=second.pk) == "delivered"
    stages = [json.loads(r.body)["data"]["data"]["to"] for r in receiver.requests]
    assert stages == ["qualified", "qualified", "qualified", "audit"]


def test_a_replay_sends_the_same_message_again(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    _practice_endpoint(receiver, operator)
    _move(engagement, operator)
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    replayed = services.delivery_replay(delivery=delivery, by=operator)
    assert (replayed.status, replayed.message_id) == ("pending", delivery.message_id)
    assert services.delivery_attempt(delivery_id=delivery.pk) == "delivered"
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert ids == [delivery.message_id, delivery.message_id]
    assert receiver.requests[0].body == receiver.requests[1].body
    assert delivery.attempt_log.count() == 2
    assert Delivery.objects.count() == 1


def test_a_replay_is_refused_while_the_endpoint_is_off(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    endpoint = _practice_endpoint(receiver, operator)
    _move(engagement, operator)
    services.endpoint_update(
        endpoint=endpoint, url=receiver.url, description="", types=ALL, active=False, by=operator
    )
    delivery = Delivery.objects.select_related("endpoint").get()
    with pytest.raises(ValidationError, match="turn it on"):
        services.delivery_replay(delivery=delivery, by=operator)


def test_an_endpoint_failing_for_days_is_turned_off_and_its_owners_emailed(
    receiver: Receiver, organization: Organization, operator: User, owner: User, settings: Any
) -> None:
    settings.WEBHOOK_DISABLE_AFTER_DAYS = 3
    failing = services.endpoint_create(
        organization=organization, url=receiver.url, description="CRM", types=ALL, by=owner
    ).endpoint
    recent = _practice_endpoint(receiver, operator)
    now = timezone.now()
    Endpoint.objects.filter(pk=failing.pk).update(failing_since=now - datetime.timedelta(days=3))
    Endpoint.objects.filter(pk=recent.pk).update(failing_since=now - datetime.timedelta(days=2))
    assert services.endpoints_disable_failing(now=now) == [failing.pk]
    failing.refresh_from_db()
    recent.refresh_from_db()
    assert (failing.active, recent.active) == (False, True)
    assert failing.disabled_reason == "Every delivery failed for 3 days."
    assert failing.disabled_notified_at is not None
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "turned off" in message.subject
    assert failing.get_absolute_url() in message.body
    # Once only.
    assert services.endpoints_disable_failing(now=now) == []
    assert len(mail.outbox) == 1


def test_a_success_clears_the_failing_mark(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    endpoint = _practice_endpoint(receiver, operator)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now())
    _move(engagement, operator)
    services.delivery_attempt(delivery_id=Delivery.objects.get().pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_an_unsafe_url_is_refused_when_the_endpoint_is_saved(operator: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(
            organization=None,
            url="https://169.254.169.254/latest/meta-data/",
            description="",
            types=ALL,
            by=operator,
        )
    assert "cloud metadata" in refused.value.message_dict["url"][0]
    assert not Endpoint.objects.exists()


def test_only_an_owner_registers_an_organisations_endpoint(
    receiver: Receiver, organization: Organization, client_user: User
) -> None:
    with pytest.raises(ValidationError, match="Only an owner"):
        services.endpoint_create(
            organization=organization, url=receiver.url, description="", types=ALL, by=client_user
        )
    with pytest.raises(ValidationError, match="Only an owner"):
        services.endpoint_create(
            organization=OrganizationFactory(),
            url=receiver.url,
            description="",
            types=ALL,
            by=MembershipFactory(organization=organization, role="owner").user,
        )


def test_an_event_of_an_endpoint_with_an_undeclared_kind_is_not_sent(
    receiver: Receiver, engagement: Engagement, operator: User
) -> None:
    _practice_endpoint(receiver, operator)
    activity_record(engagement=engagement, actor=operator, verb="something.new")
    assert not Delivery.objects.exists()
