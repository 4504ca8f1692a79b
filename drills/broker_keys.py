"""The keys the drills' Celery broker holds in Redis, under the run's own prefix
(CELERY_KEY_PREFIX, set by scripts/drills, so that concurrent runs never consume each other's
messages): what a killed worker left unacknowledged, and their removal at the end of a run."""

from __future__ import annotations

import atexit
import base64
import json

import redis
from django.conf import settings

RENDER_TASK = "cto.reports.tasks.render_report"
# kombu's Redis transport keeps each delivered message in this hash until the worker acks it;
# a worker killed outright leaves its messages there (handed back only after the visibility
# timeout, an hour).
UNACKED = "unacked"


def is_redis() -> bool:
    return str(settings.CELERY_BROKER_URL).startswith("redis://")


def _prefix() -> str:
    return str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", ""))


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def reports_held_by_workers() -> set[int]:
    """The reports whose render message a worker took and did not acknowledge: once that
    worker is killed whole, what only the sweeper can bring back."""
    held = set()
    for raw in _client().hvals(f"{_prefix()}{UNACKED}"):
        message = json.loads(raw)[0]
        if message["headers"].get("task") != RENDER_TASK:
            continue
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        held.add(int(args[0]))
    return held


def forget_run() -> int:
    """Delete every key of this run's prefix (queues, unacked messages, bindings); return how
    many. Only once the run's publishing is over: with its binding gone, a message published
    later goes to kombu's dead-letter queue."""
    prefix = _prefix()
    if not prefix or not is_redis():
        return 0  # no prefix of the run's own: the keys may be someone else's
    client = _client()
    keys = list(client.scan_iter(match=f"{prefix}*"))
    return int(client.delete(*keys)) if keys else 0


_forget_at_exit = False


def forget_run_at_exit() -> None:
    """Clear the run's keys when the drills process ends, after every drill (registered once)."""
    global _forget_at_exit
    if not _forget_at_exit:
        atexit.register(forget_run)
        _forget_at_exit = True
