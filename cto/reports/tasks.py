"""Celery tasks of the reports: thin, by id, safe to run twice. They run on the `reports`
queue (settings.CELERY_TASK_ROUTES)."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError

from cto.reports import services


@shared_task(
    bind=True,
    # Only the database is retried: a template or WeasyPrint fault would fail the same way,
    # and the service records those as failed. Worker loss is counted by the service's claims.
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    # The time limits come with each message (services._time_limits), from the settings of
    # the process that queued it.
)
def render_report(self: Task, report_id: int) -> None:
    _, soft_limit = self.request.timelimit or (None, None)
    services.report_render(report_id=report_id, time_budget=soft_limit)


@shared_task(autoretry_for=(OSError, DatabaseError), retry_backoff=True, max_retries=5)
def notify_report_ready(report_id: int) -> None:
    services.report_ready_notify(report_id=report_id)


@shared_task
def sweep_stuck_reports() -> None:
    services.reports_sweep()
