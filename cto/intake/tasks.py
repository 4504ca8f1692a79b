"""Celery tasks of the intake: thin, by id, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cto.intake.emails import (
    intake_call_notifications_sweep,
    intake_notifications_sweep,
    intake_notify_call_requested,
    intake_notify_submitted,
    intake_send_resume_link,
)

# Mail servers, networks and databases fail transiently; our own bugs are not retried.
TRANSIENT = (OSError, OperationalError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def notify_intake_submitted(response_id: int) -> int:
    return intake_notify_submitted(response_id=response_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def notify_intake_call_requested(event_id: int) -> int:
    return intake_notify_call_requested(event_id=event_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_resume_link(response_id: int) -> bool:
    return intake_send_resume_link(response_id=response_id)


@shared_task
def sweep_lost_intake_emails() -> list[int]:
    """Periodic: lead and first-call emails whose message the broker never took (see the beat
    schedule)."""
    return intake_notifications_sweep() + intake_call_notifications_sweep()
