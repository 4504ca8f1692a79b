"""Every write of the webhooks: endpoints, the outbox, attempts, replays, the sweep."""

from __future__ import annotations

import base64
import datetime
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from cto.core.queue import publish_each, publish_on_commit
from cto.engagements.models import ActivityEvent
from cto.engagements.selectors import timeline_events
from cto.users.addresses import normalize_email
from cto.users.models import Membership, Organization
from cto.webhooks import sending
from cto.webhooks.addresses import UnsafeUrl, url_check
from cto.webhooks.backoff import Backoff
from cto.webhooks.models import Delivery, DeliveryAttempt, Endpoint

if TYPE_CHECKING:
    from cto.users.models import User

logger = logging.getLogger("cto.webhooks")

# What an organisation's endpoint may be sent: what its client sees on the timeline. The rule
# lives in timeline_events, asked for anyone who is not the practice.
CLIENT_VIEW = cast("User", AnonymousUser())


def event_types() -> list[tuple[str, str]]:
    """The kinds of event an endpoint may subscribe to: every kind the timeline records."""
    return [(value, str(label)) for value, label in ActivityEvent.Verb.choices]


def backoff() -> Backoff:
    return Backoff(
        base_seconds=settings.WEBHOOK_RETRY_BASE_SECONDS,
        max_seconds=settings.WEBHOOK_RETRY_MAX_SECONDS,
        window_seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS,
    )


def secret_make() -> str:
    """A new signing secret in the form Standard Webhooks libraries read: whsec_ + base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- Endpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: Endpoint
    secret: str  # shown once, when the endpoint is registered


def _may_manage(user: User, organization: Organization | None) -> bool:
    if user.is_staff:
        return True
    return (
        organization is not None
        and Membership.objects.filter(
            user=user, organization=organization, role=Membership.Role.OWNER
        ).exists()
    )


def _checked(url: str, types: list[str]) -> str:
    try:
        url_check(url)
    except UnsafeUrl as refused:
        raise ValidationError({"url": str(refused)}) from refused
    unknown = sorted(set(types) - {value for value, _ in event_types()})
    if unknown:
        raise ValidationError({"event_types": f"Unknown kinds of event: {', '.join(unknown)}."})
    if not types:
        raise ValidationError({"event_types": "Choose at least one kind of event."})
    return url.strip()


def endpoint_create(
    *,
    organization: Organization | None,
    url: str,
    description: str,
    types: list[str],
    by: User,
) -> CreatedEndpoint:
    """Register an endpoint (practice-wide when ``organization`` is None, operators only; an
    organisation's by one of its owners) after the SSRF check; logs it. The returned secret is
    the only time it is shown."""
    if not _may_manage(by, organization):
        raise ValidationError("Only an owner of the organisation registers its webhooks.")
    if organization is None and not by.is_staff:
        raise ValidationError("Only the practice registers practice-wide webhooks.")
    endpoint = Endpoint(
        organization=organization,
        url=_checked(url, types),
        description=description.strip(),
        secret=secret_make(),
        event_types=sorted(set(types)),
        created_by=by,
    )
    endpoint.full_clean()
    endpoint.save()
    logger.info(
        "Webhook endpoint %s registered for %s by %s", endpoint.pk, endpoint.owner_label, by
    )
    return CreatedEndpoint(endpoint=endpoint, secret=endpoint.secret)


def endpoint_update(
    *,
    endpoint: Endpoint,
    url: str,
    description: str,
    types: list[str],
    active: bool,
    by: User,
) -> Endpoint:
    """Change an endpoint (checked as when it was registered). Turning a disabled endpoint on
    again forgets its failures: it starts afresh."""
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.url = _checked(url, types)
        locked.description = description.strip()
        locked.event_types = sorted(set(types))
        if active and not locked.active:
            locked.failing_since = None
            locked.disabled_at = None
            locked.disabled_reason = ""
            locked.disabled_notified_at = None
        elif not active and locked.active:
            locked.disabled_at = timezone.now()
            locked.disabled_reason = f"Turned off by {by}."
        locked.active = active
        locked.full_clean()
        locked.save()
        if active:
            # What waited while it was off goes out now, in order.
            _publish_heads(Delivery.objects.filter(endpoint=locked))
    logger.info("Webhook endpoint %s changed by %s (active: %s)", locked.pk, by, active)
    return locked


def endpoint_delete(*, endpoint: Endpoint, by: User) -> None:
    """Remove an endpoint and its delivery log."""
    logger.info("Webhook endpoint %s (%s) deleted by %s", endpoint.pk, endpoint.url, by)
    endpoint.delete()


# --- The outbox --------------------------------------------------------------------------------


def payload(event: ActivityEvent, *, details: bool) -> str:
    """The JSON body of ``event``'s deliveries, in Standard Webhooks' shape (type, timestamp,
    data): what the timeline says of it (its summary), never an actor's address or a secret.

    ``details`` adds the event's own data, for the practice's endpoints only: the timeline shows
    a client the summary, not the data, which can hold what is the practice's alone (an intake's
    look-alike check names other organisations)."""
    engagement = event.engagement
    data: dict[str, object] = {
        "id": event.pk,
        "engagement": {"id": engagement.pk, "title": engagement.title},
        "summary": event.summary,
    }
    if details:
        data["data"] = event.data
    document = {"type": event.verb, "timestamp": event.created_at.isoformat(), "data": data}
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True)


def outbox_write(*, event: ActivityEvent) -> list[Delivery]:
    """Write one delivery of ``event`` per active endpoint that subscribes to it and may see
    it, in the caller's transaction (the event's own), and send each after commit.

    Practice-wide endpoints get every engagement's events; an organisation's endpoints only its
    own engagements' events, and only those its client sees on the timeline (not a draft
    quote's or draft report's, nor the practice's report text)."""
    engagement = event.engagement
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(active=True).filter(
            Q(organization=None) | Q(organization_id=engagement.organization_id)
        )
        if event.verb in endpoint.event_types
    ]
    if any(endpoint.organization_id for endpoint in endpoints):
        shown = timeline_events(user=CLIENT_VIEW, engagement=engagement).filter(pk=event.pk)
        if not shown.exists():
            endpoints = [endpoint for endpoint in endpoints if not endpoint.organization_id]
    if not endpoints:
        return []
    bodies = {details: payload(event, details=details) for details in (True, False)}
    now = timezone.now()
    deliveries = [
        Delivery.objects.create(
            endpoint=endpoint,
            event=event,
            engagement=engagement,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=event.verb,
            body=bodies[endpoint.organization_id is None],
            next_attempt_at=now,
        )
        for endpoint in endpoints
    ]
    for delivery in deliveries:
        _send_later(delivery.pk)
    return deliveries


def _send_later(delivery_id: int) -> None:
    from cto.webhooks.tasks import deliver  # tasks import this module

    publish_on_commit(deliver, (delivery_id,), lost="The webhooks sweep sends it.")


def _earlier_pending() -> Exists:
    """Whether a delivery has an earlier one still pending for its endpoint and engagement:
    then it waits, so that the receiver gets an engagement's events in order."""
    return Exists(
        Delivery.objects.filter(
            endpoint=OuterRef("endpoint"),
            engagement=OuterRef("engagement"),
            status=Delivery.Status.PENDING,
            id__lt=OuterRef("id"),
        )
    )


def _publish_heads(deliveries: QuerySet[Delivery]) -> None:
    """Send, after commit, those of ``deliveries`` first in line for their endpoint and
    engagement."""
    heads = deliveries.filter(status=Delivery.Status.PENDING).filter(~_earlier_pending())
    for pk in heads.values_list("pk", flat=True):
        _send_later(pk)


# --- Sending -----------------------------------------------------------------------------------


def delivery_attempt(*, delivery_id: int) -> str:
    """Make one attempt at a delivery if it is due, pending, its endpoint active and no earlier
    delivery of its endpoint and engagement pending; record what came back. Returns what was
    done (for the log and the tests).

    Safe to run twice and from several workers: the attempt is claimed by one guarded UPDATE
    that moves the delivery's due time to the end of a lease (WEBHOOK_TIMEOUT_SECONDS plus a
    minute), so a second task finds it not due; a worker lost mid-attempt leaves it due again
    when the lease ends, and the sweep sends it (with the same webhook-id). No transaction is
    held open while the receiver answers."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_related("endpoint")
            .annotate(waiting=_earlier_pending())
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return "done"
        if not delivery.endpoint.active:
            return "endpoint off"
        if delivery.waiting:
            return "waiting"
        lease = now + datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
        claimed = Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(
            next_attempt_at=lease,
            attempts=delivery.attempts + 1,
            first_attempt_at=delivery.first_attempt_at or now,
            last_attempt_at=now,
        )
        if not claimed:
            return "not due"
    answer = sending.send(
        url=delivery.endpoint.url,
        secret=delivery.endpoint.secret,
        message_id=delivery.message_id,
        body=delivery.body,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        now=now,
    )
    return _attempt_record(delivery.pk, now, answer)


def _attempt_record(delivery_id: int, started: datetime.datetime, answer: sending.Answer) -> str:
    ended = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:  # its endpoint was deleted meanwhile
            return "gone"
        DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=started,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            excerpt=answer.excerpt,
            succeeded=answer.succeeded,
        )
        endpoint = Endpoint.objects.filter(pk=delivery.endpoint_id)
        if answer.succeeded:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = ended
            delivery.next_attempt_at = None
            endpoint.update(failing_since=None)
            outcome = "delivered"
        else:
            endpoint.filter(failing_since=None).update(failing_since=started)
            retry = backoff().next_attempt(
                first_attempt_at=delivery.first_attempt_at or started,
                failed_at=ended,
                failures=delivery.attempts,
            )
            if retry is None:
                delivery.status = Delivery.Status.FAILED
                delivery.failed_at = ended
                delivery.next_attempt_at = None
                outcome = "failed"
            else:
                delivery.next_attempt_at = retry
                outcome = "retry"
        delivery.save(update_fields=["status", "delivered_at", "failed_at", "next_attempt_at"])
        if delivery.status != Delivery.Status.PENDING:
            # The next of this endpoint and engagement may go now, without waiting for a sweep.
            _publish_heads(
                Delivery.objects.filter(
                    endpoint_id=delivery.endpoint_id, engagement_id=delivery.engagement_id
                )
            )
    if not answer.succeeded:
        logger.warning(
            "Webhook %s to endpoint %s: %s (%s) → %s",
            delivery.message_id,
            delivery.endpoint_id,
            answer.status_code or "no answer",
            answer.excerpt[:100],
            outcome,
        )
    return outcome


def delivery_replay(*, delivery: Delivery, by: User) -> Delivery:
    """Send a delivery again, as the same message (the same webhook-id and body), with a new
    retry window. Refused while its endpoint is off."""
    if not delivery.endpoint.active:
        raise ValidationError("This endpoint is off: turn it on before sending again.")
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        locked.status = Delivery.Status.PENDING
        locked.next_attempt_at = timezone.now()
        locked.attempts = 0
        locked.first_attempt_at = None
        locked.delivered_at = None
        locked.failed_at = None
        locked.save()
        _send_later(locked.pk)
    logger.info("Webhook %s replayed by %s", locked.message_id, by)
    return locked


# --- The sweep ---------------------------------------------------------------------------------

SWEEP_BATCH = 500


def deliveries_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Periodic: queue every delivery that is due (a retry, or a first attempt whose message
    was lost) and first in line for its endpoint and engagement; then disable the endpoints
    that have failed too long. Returns the ids queued."""
    now = now or timezone.now()
    from cto.webhooks.tasks import deliver  # tasks import this module

    due = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .filter(~_earlier_pending())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = publish_each(deliver, list(due), lost="The next sweep tries again.")
    endpoints_disable_failing(now=now)
    return sent


def endpoints_disable_failing(*, now: datetime.datetime | None = None) -> list[int]:
    """Turn off the endpoints that have failed for WEBHOOK_DISABLE_AFTER_DAYS, emailing their
    owners. Returns the ids turned off."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    failing = Endpoint.objects.filter(active=True, failing_since__lte=since)
    disabled = []
    for pk in failing.values_list("pk", flat=True):
        try:
            if endpoint_disable_failing(endpoint_id=pk, since=since, now=now):
                disabled.append(pk)
        except OSError:
            # The mail server is away: nothing was changed; the next sweep tries again.
            logger.warning("Webhook endpoint %s not disabled yet: its email failed", pk)
    return disabled


def endpoint_recipients(endpoint: Endpoint) -> list[str]:
    """Who hears that an endpoint was turned off: whoever registered it, the owners of its
    organisation, or (practice-wide) the practice's notification address."""
    emails = []
    if endpoint.created_by and endpoint.created_by.is_active:
        emails.append(endpoint.created_by.email)
    if endpoint.organization_id:
        emails += Membership.objects.filter(
            organization_id=endpoint.organization_id,
            role=Membership.Role.OWNER,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    elif settings.OPERATOR_NOTIFICATION_EMAIL:
        emails.append(settings.OPERATOR_NOTIFICATION_EMAIL)
    return list(dict.fromkeys(normalize_email(email) for email in emails))


def endpoint_disable_failing(
    *, endpoint_id: int, since: datetime.datetime, now: datetime.datetime
) -> bool:
    """Turn off one endpoint failing since before ``since`` and email its owners, once: the
    row is locked and stamped in the same transaction as the send, so a failed send changes
    nothing and a second run finds it off."""
    with transaction.atomic():
        endpoint = (
            Endpoint.objects.select_for_update(of=("self",))
            .select_related("organization", "created_by")
            .filter(pk=endpoint_id, active=True, failing_since__lte=since)
            .first()
        )
        if endpoint is None:
            return False
        assert endpoint.failing_since is not None  # noqa: S101  # filtered on it
        days = (now - endpoint.failing_since).days
        endpoint.active = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = f"Every delivery failed for {days} days."
        recipients = endpoint_recipients(endpoint)
        context = {"endpoint": endpoint, "days": days, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string("webhooks/email/disabled_subject.txt", context).split())
        body = render_to_string("webhooks/email/disabled_body.txt", context)
        # One message each: an owner's address is never shown to anyone else.
        send_mass_mail([(subject, body, None, [email]) for email in recipients])
        endpoint.disabled_notified_at = timezone.now() if recipients else None
        endpoint.save()
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, endpoint.disabled_reason)
    return True
