"""Celery tasks of the webhooks: thin, by id, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cto.webhooks.services import deliveries_sweep, delivery_attempt


# A lost database is retried by the sweep as well; the receiver's failures are not errors here
# (they are recorded as attempts and retried on the backoff schedule).
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def deliver(delivery_id: int) -> str:
    """One attempt at a webhook delivery (see ``delivery_attempt``)."""
    return delivery_attempt(delivery_id=delivery_id)


@shared_task
def sweep_webhooks() -> list[int]:
    """Periodic: due retries and lost first attempts, then endpoints failing too long."""
    return deliveries_sweep()
