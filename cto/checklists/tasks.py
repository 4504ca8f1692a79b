"""Celery tasks of the checklists: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cto.checklists.services import reminders_send


@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=True, max_retries=3)
def send_checklist_reminders() -> int:
    return reminders_send()
