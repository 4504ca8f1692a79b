"""A real Celery worker process for tests of the asynchronous paths (never eager mode)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
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


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def children(self) -> list[int]:
        """The pids of the pool processes that run the tasks."""
        listing = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in listing.read_text().split()] if listing.exists() else []


@contextmanager
def celery_worker_process(
    *, log_dir: Path, env: dict[str, str] | None = None, name: str = "worker"
) -> Iterator[Worker]:
    """Start `celery worker` (both queues) against the test database and the configured
    broker, in a process group of its own (so a test can kill it whole); yield it once it is
    ready to consume; stop it on exit."""
    worker_env = {**os.environ, "DATABASE_URL": test_database_url(), **(env or {})}
    log_path = log_dir / f"{name}.log"
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
                "--queues=celery,reports",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b" ready." not in log_path.read_bytes():
            if process.poll() is not None:
                raise RuntimeError(f"The worker exited early:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"The worker was not ready in time:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield Worker(process, log_path)
    finally:
        if process.poll() is None:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        with suppress(ProcessLookupError):  # pool processes a killed parent left behind
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
