"""The intake's emails: each sent once, by a task, after the write that asked for it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cto.core.queue import missed_window, publish_each
from cto.engagements.models import ActivityEvent
from cto.intake import screens
from cto.intake.models import IntakeResponse
from cto.intake.proof import PROOF_LINK_MAX_AGE, proof_path
from cto.intake.selectors import intake_call_policy
from cto.users.addresses import normalize_email
from cto.users.models import User


def _render(name: str, context: dict[str, object]) -> tuple[str, str]:
    subject = render_to_string(f"intake/email/{name}_subject.txt", context)
    body = render_to_string(f"intake/email/{name}_body.txt", context)
    return " ".join(subject.split()), body


def operator_addresses() -> list[str]:
    """Everyone at the practice who hears of new leads."""
    emails = list(
        User.objects.filter(is_staff=True, is_active=True, is_service_account=False)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if settings.OPERATOR_NOTIFICATION_EMAIL:
        emails.append(settings.OPERATOR_NOTIFICATION_EMAIL)
    return list(dict.fromkeys(normalize_email(email) for email in emails))


def intake_notify_submitted(*, response_id: int) -> int:
    """Email the operators about a new lead and the prospect their result, once.

    The response row is locked and stamped in the same transaction as the send, so a task
    delivered twice sends nothing the second time. Returns how many messages went out."""
    with transaction.atomic():
        response = (
            IntakeResponse.objects.with_version()
            .select_for_update(of=("self",))
            .filter(pk=response_id, status=IntakeResponse.Status.SUBMITTED, notified_at=None)
            .first()
        )
        if response is None:
            return 0
        walk = response.walk()
        context = {
            "response": response,
            "walk": walk,
            "site_url": settings.SITE_URL,
            "admin_path": reverse(
                "admin:engagements_engagement_change", args=[response.engagement_id]
            )
            if response.engagement_id
            else "",
            "login_path": reverse("account_request_login_code"),
            "confirm_path": proof_path(response.pk),
            "confirm_days": PROOF_LINK_MAX_AGE.days,
            "answers": screens.read_back(walk),
            "reply_days": intake_call_policy().reply_days,
        }
        operator_subject, operator_body = _render("lead_operator", context)
        prospect_subject, prospect_body = _render("lead_prospect", context)
        messages = [
            (operator_subject, operator_body, None, [email]) for email in operator_addresses()
        ]
        messages.append((prospect_subject, prospect_body, None, [response.contact_email]))
        send_mass_mail(messages)
        response.notified_at = timezone.now()
        response.save(update_fields=["notified_at"])
    return len(messages)


def intake_notify_call_requested(*, event_id: int) -> int:
    """Email the operators that a lead asked for a first call, once (the event is locked and
    stamped in the same transaction as the send, as a new lead's emails are). Returns how many
    messages went out."""
    with transaction.atomic():
        event = (
            ActivityEvent.objects.select_for_update(of=("self",))
            .select_related("engagement")
            .filter(pk=event_id, verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED, notified_at=None)
            .first()
        )
        if event is None:
            return 0
        response = IntakeResponse.objects.with_version().get(engagement_id=event.engagement_id)
        context = {
            "event": event,
            "response": response,
            "walk": response.walk(),
            "site_url": settings.SITE_URL,
            "admin_path": reverse(
                "admin:engagements_engagement_change", args=[event.engagement_id]
            ),
        }
        subject, body = _render("call_operator", context)
        recipients = operator_addresses()
        send_mass_mail([(subject, body, None, [email]) for email in recipients])
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return len(recipients)


def intake_call_notifications_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the first-call emails whose message was lost (the broker was away)."""
    from cto.intake.tasks import notify_intake_call_requested  # tasks import this module

    since, before = missed_window(now)
    missed = ActivityEvent.objects.filter(
        verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED,
        notified_at=None,
        created_at__gte=since,
        created_at__lt=before,
    ).values_list("pk", flat=True)
    return publish_each(notify_intake_call_requested, missed, lost="The next sweep tries again.")


def intake_send_resume_link(*, response_id: int) -> bool:
    """Send the resume link to the address the prospect gave (no row is changed)."""
    response = IntakeResponse.objects.filter(
        pk=response_id, status=IntakeResponse.Status.IN_PROGRESS
    ).first()
    if response is None or not response.resume_email:
        return False
    subject, body = _render("resume", {"response": response, "site_url": settings.SITE_URL})
    send_mail(subject, body, None, [response.resume_email])
    return True


def intake_notifications_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the lead emails whose message was lost (the broker was away when the lead
    was submitted): submitted responses never stamped as notified, within the missed window."""
    from cto.intake.tasks import notify_intake_submitted  # tasks import this module

    since, before = missed_window(now)
    missed = IntakeResponse.objects.filter(
        status=IntakeResponse.Status.SUBMITTED,
        notified_at=None,
        submitted_at__gte=since,
        submitted_at__lt=before,
    ).values_list("pk", flat=True)
    return publish_each(notify_intake_submitted, missed, lost="The next sweep tries again.")
