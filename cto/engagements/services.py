"""Every write to an engagement, and the timeline event that records it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cto.core.queue import missed_window, publish_each, publish_on_commit
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.signals import stage_changed
from cto.engagements.stages import Stage, transition_problem
from cto.users.addresses import normalize_email

if TYPE_CHECKING:
    from cto.users.models import Organization, User


class TransitionError(ValidationError):
    """A stage change that the rules refuse; the message says why and what is allowed."""


class StaleEngagementError(ValidationError):
    """The caller acted on an older version of the engagement than the one stored."""


def activity_record(
    *,
    engagement: Engagement,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Append one event to the engagement's timeline."""
    return ActivityEvent.objects.create(
        engagement=engagement, actor=actor, verb=verb, target=target, data=data or {}
    )


@transaction.atomic
def engagement_create(
    *,
    organization: Organization,
    title: str,
    kind: str = Engagement.Kind.GENERIC,
    lead: User | None = None,
    contact: User | None = None,
    start_date: datetime.date | None = None,
    by: User | None,
) -> Engagement:
    """Create an engagement at stage ``lead`` and record it on the timeline."""
    engagement = Engagement(
        organization=organization,
        title=title,
        kind=kind,
        lead=lead,
        contact=contact,
        start_date=start_date,
        stage=Stage.LEAD,
        stage_changed_at=timezone.now(),
    )
    engagement.full_clean()
    engagement.save()
    activity_record(
        engagement=engagement, actor=by, verb=ActivityEvent.Verb.CREATED, data={"kind": kind}
    )
    return engagement


def engagement_transition(
    *,
    engagement: Engagement,
    to: Stage | str,
    by: User | None,
    expected_version: int | None = None,
    note: str = "",
) -> Engagement:
    """Move the engagement to stage ``to`` if the transitions table allows it.

    Locks the row, so that of two concurrent moves exactly one wins and the other is judged
    against the stage the first left behind. With ``expected_version`` (the version the
    caller saw), a change made since is refused instead of silently built upon. Records an
    ActivityEvent and, after commit, emails the people concerned. Returns the fresh row;
    raises ``TransitionError`` or ``StaleEngagementError`` and changes nothing when refused.
    """
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleEngagementError(
                "This engagement was changed by someone else since you opened it "
                f"(it is now at stage “{locked.get_stage_display()}”). "
                "Reload the page and try again.",
                code="stale",
            )
        problem = transition_problem(locked.stage, to, paused_from=locked.paused_from or None)
        if problem:
            raise TransitionError(problem, code="illegal_transition")

        before = Stage(locked.stage)
        after = Stage(to)
        locked.paused_from = before.value if after == Stage.PAUSED else ""
        locked.stage = after.value
        locked.stage_changed_at = timezone.now()
        locked.version += 1
        if after == Stage.ACTIVE and locked.start_date is None:
            locked.start_date = timezone.localdate()
        locked.save(
            update_fields=[
                "stage",
                "paused_from",
                "stage_changed_at",
                "version",
                "start_date",
                "updated_at",
            ]
        )
        data = {"from": before.value, "to": after.value}
        if note:
            data["note"] = note
        event = activity_record(
            engagement=locked, actor=by, verb=ActivityEvent.Verb.STAGE_CHANGED, data=data
        )
        # In the same transaction: what other apps do on a stage (the week-one checklist on
        # "active") happens with the move or not at all.
        stage_changed.send(sender=Engagement, engagement=locked, before=before, after=after, by=by)
        event_notify_later(event)
    return locked


# Fields an operator may edit directly; the stage is not one of them (see engagement_transition).
EDITABLE_FIELDS = ("title", "kind", "kind_confirmed", "lead", "contact", "start_date")


def engagement_update(
    *, engagement: Engagement, by: User | None, expected_version: int, **changes: Any
) -> Engagement:
    """Change the editable fields of an engagement, refusing if it changed since the caller
    read ``expected_version``. Records which fields changed on the timeline."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable through engagement_update: {sorted(unknown)}")
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        if locked.version != expected_version:
            raise StaleEngagementError(
                "This engagement was changed by someone else since you opened it. "
                "Reload the page to see their change, then make yours again.",
                code="stale",
            )
        changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, changes[name])
        locked.full_clean()
        locked.version += 1
        locked.save()
        activity_record(
            engagement=locked,
            actor=by,
            verb=ActivityEvent.Verb.UPDATED,
            data={"fields": changed},
        )
    return locked


# Timeline events that are emailed to the people concerned, and the templates that say them
# (engagements/email/<name>_subject.txt and _body.txt).
NOTIFIED_VERBS = {
    ActivityEvent.Verb.STAGE_CHANGED: "stage_changed",
    ActivityEvent.Verb.AUDIT_OPENED: "audit_opened",
    ActivityEvent.Verb.QUOTE_ACCEPTED: "quote_accepted",
}


def event_notify_later(event: ActivityEvent) -> None:
    """Email the people concerned about ``event`` once the transaction commits."""
    # Imported here: the task module imports this one (tasks call services).
    from cto.engagements.tasks import notify_event

    publish_on_commit(
        notify_event,
        (event.pk,),
        lost="This event's email is not sent (the timeline keeps the event).",
    )


def event_notifications_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the event emails whose message was lost (the broker was away): notified
    events never stamped, within the missed window."""
    from cto.engagements.tasks import notify_event  # tasks import this module

    since, before = missed_window(now)
    missed = ActivityEvent.objects.filter(
        verb__in=NOTIFIED_VERBS, notified_at=None, created_at__gte=since, created_at__lt=before
    ).values_list("pk", flat=True)
    return publish_each(notify_event, missed, lost="The next sweep tries again.")


def event_recipients(*, engagement: Engagement) -> list[str]:
    """Who hears of an engagement's news: the client's members, the lead operator and the
    practice's notification address, each once."""
    emails = list(
        engagement.organization.members.filter(is_active=True, is_service_account=False)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if engagement.lead and engagement.lead.is_active:
        emails.append(engagement.lead.email)
    if settings.OPERATOR_NOTIFICATION_EMAIL:
        emails.append(settings.OPERATOR_NOTIFICATION_EMAIL)
    return list(dict.fromkeys(normalize_email(email) for email in emails))


def event_notify(*, event_id: int) -> int:
    """Email the people concerned about one timeline event (a stage change, an audit to fill
    in), once.

    Safe to run twice: the event row is locked and stamped in the same transaction as the
    send, so a redelivered task finds it stamped and sends nothing. Returns how many
    addresses were emailed (0 when already done or the event is gone).
    """
    with transaction.atomic():
        event = (
            ActivityEvent.objects.select_for_update(of=("self",))
            .select_related("engagement__organization", "engagement__lead", "actor")
            .filter(pk=event_id, verb__in=NOTIFIED_VERBS, notified_at=None)
            .first()
        )
        if event is None:
            return 0
        name = NOTIFIED_VERBS[ActivityEvent.Verb(event.verb)]
        recipients = event_recipients(engagement=event.engagement)
        context = {
            "event": event,
            "engagement": event.engagement,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string(f"engagements/email/{name}_subject.txt", context)
        body = render_to_string(f"engagements/email/{name}_body.txt", context)
        # One message each: a client's address is never shown to anyone else.
        send_mass_mail([(" ".join(subject.split()), body, None, [email]) for email in recipients])
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return len(recipients)
