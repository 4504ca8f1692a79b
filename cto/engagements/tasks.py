"""Celery tasks of the engagements app: thin, by id, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cto.engagements.services import event_notifications_sweep, event_notify


@shared_task(
    # Mail servers, networks and databases fail transiently (smtplib's errors are OSErrors;
    # a dropped or locked database raises OperationalError); our own bugs are not retried.
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def notify_event(event_id: int) -> int:
    """Email the people concerned about a timeline event (see ``event_notify``)."""
    return event_notify(event_id=event_id)


@shared_task
def sweep_lost_event_emails() -> list[int]:
    """Periodic: event emails whose message the broker never took (see the beat schedule)."""
    return event_notifications_sweep()
