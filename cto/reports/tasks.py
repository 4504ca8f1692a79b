"""Celery tasks of the reports: thin, by id, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cto.reports.services import report_render


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def render_report(report_id: int) -> None:
    report_render(report_id=report_id)
