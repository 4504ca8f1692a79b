"""Publishing tasks to the broker without letting a broker outage reach the user.

Services enqueue after commit: by then the rows are saved and the request has done its work.
A broker that refuses the message at that moment must not turn a saved request into a 500
page, nor hold the request in kombu's retries: the message is given up at once, with a log
line saying what was lost and what will make up for it (a sweeper, or nothing)."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def publish(
    task: Task,
    args: Sequence[Any] = (),
    *,
    lost: str,
    **options: Any,
) -> bool:
    """Send ``task`` with ``args`` now; False (and a warning) when the broker is unreachable.

    ``lost`` says, for the log, what becomes of the work if the message cannot be sent ("the
    reports sweeper queues it again", "the email is not sent"). The retries are the bounded
    ones of CELERY_TASK_PUBLISH_RETRY_POLICY, well under a second."""
    try:
        task.apply_async(tuple(args), **options)
    except (OperationalError, OSError) as error:
        # kombu wraps the transport's connection errors in OperationalError; OSError covers
        # a socket refused before kombu could wrap it.
        logger.warning(
            "Broker unreachable: %s%r not queued (%s). %s", task.name, tuple(args), error, lost
        )
        return False
    return True


def publish_on_commit(
    task: Task,
    args: Sequence[Any] = (),
    *,
    lost: str,
    **options: Any,
) -> None:
    """``publish`` once the current transaction commits (at once outside one).

    Robust: an unexpected error of the publish is logged by Django, not raised into the
    request whose writes are already committed."""
    transaction.on_commit(functools.partial(publish, task, args, lost=lost, **options), robust=True)


def missed_window(
    now: datetime.datetime | None = None,
) -> tuple[datetime.datetime, datetime.datetime]:
    """The span in which an unsent notification counts as lost rather than on its way: older
    than NOTIFICATION_LATE_AFTER_SECONDS (the normal path takes seconds), younger than
    NOTIFICATION_GIVE_UP_AFTER_HOURS (news that old is better left unsaid than sent late)."""
    now = now or timezone.now()
    return (
        now - datetime.timedelta(hours=settings.NOTIFICATION_GIVE_UP_AFTER_HOURS),
        now - datetime.timedelta(seconds=settings.NOTIFICATION_LATE_AFTER_SECONDS),
    )


def publish_each(task: Task, ids: Iterable[int], *, lost: str) -> list[int]:
    """Publish ``task`` once per id, for a sweeper; stop at the first refusal (the broker is
    still away: the next sweep tries again). Returns the ids sent. The tasks are idempotent,
    so an id sent twice (a sweep racing a late delivery) does its work once."""
    sent = []
    for pk in ids:
        if not publish(task, (pk,), lost=lost):
            break
        sent.append(pk)
    if sent:
        logger.warning(
            "Sent %s again for %d row(s) its message missed: %s", task.name, len(sent), sent
        )
    return sent
