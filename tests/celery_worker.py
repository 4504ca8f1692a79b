"""A real Celery worker process for tests of the asynchronous paths (never eager mode)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from cto.core import worker_process

# The worker a test gets: its pool processes can be listed and killed.
Worker = worker_process.WorkerProcess


def test_database_url() -> str:
    """The URL of the database the tests are using (pytest-django's test_ copy)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker_process(
    *, log_dir: Path, env: dict[str, str] | None = None, name: str = "worker"
) -> Iterator[Worker]:
    """Start `celery worker` (both queues, one pool process) against the test database and
    the configured broker; yield it once it is ready to consume; stop it on exit."""
    if os.environ.get("CTO_TESTS_NO_PROCESSES"):
        # make test-fast deselects the tests marked `worker`: one that reaches here lacks it.
        raise RuntimeError("A test that starts a Celery worker must be marked @pytest.mark.worker.")
    with worker_process.celery_worker(
        log=log_dir / f"{name}.log",
        env={**os.environ, "DATABASE_URL": test_database_url(), **(env or {})},
        options=["--concurrency=1", "--queues=celery,reports"],
        cwd=settings.BASE_DIR,
        name=f"test-{name}",
    ) as worker:
        yield worker


@contextmanager
def celery_worker(*, log_dir: Path, env: dict[str, str] | None = None) -> Iterator[Path]:
    """A worker as above; yields the path of its log."""
    with celery_worker_process(log_dir=log_dir, env=env) as worker:
        yield worker.log


def wait_for(predicate: object, *, timeout: float = 30.0, interval: float = 0.1) -> bool:
    """Poll ``predicate()`` until it is true or the time is up; return the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():  # type: ignore[operator]  # any callable
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
