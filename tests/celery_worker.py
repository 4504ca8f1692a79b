"""A real Celery worker process for tests of the asynchronous paths (never eager mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

READY_TIMEOUT_S = 60


def test_database_url() -> str:
    """The URL of the database the tests are using (pytest-django's test_ copy)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(*, log_dir: Path, env: dict[str, str] | None = None) -> Iterator[Path]:
    """Start `celery worker` against the test database and the configured broker; yield the
    path of its log once it is ready to consume; stop it on exit."""
    worker_env = {**os.environ, "DATABASE_URL": test_database_url(), **(env or {})}
    log_path = log_dir / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cto",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b" ready." not in log_path.read_bytes():
            if process.poll() is not None:
                raise RuntimeError(f"The worker exited early:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"The worker was not ready in time:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate: object, *, timeout: float = 30.0, interval: float = 0.1) -> bool:
    """Poll ``predicate()`` until it is true or the time is up; return the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():  # type: ignore[operator]  # any callable
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
