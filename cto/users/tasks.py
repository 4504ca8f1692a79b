"""Celery tasks of the users app: thin, by id, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cto.users.services import invitation_email_send, invitation_emails_sweep

# Mail servers, networks and databases fail transiently; our own bugs are not retried.
TRANSIENT = (OSError, OperationalError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_invitation(invitation_id: int) -> bool:
    """Email an invitation's link (see ``invitation_email_send``)."""
    return invitation_email_send(invitation_id=invitation_id)


@shared_task
def sweep_lost_invitations() -> list[int]:
    """Periodic: invitation emails whose message the broker never took (beat schedule)."""
    return invitation_emails_sweep()
