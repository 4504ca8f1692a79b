"""A real `celery worker` in a process of its own, for the tests, the benchmarks
(bench/celery_worker.py) and the drills (drills/worker.py, drills/broker.py): the asynchronous
paths are exercised by the worker production runs, never by eager mode or a stand-in.

`worker_start` is the launcher all of them share. The worker gets a process group of its own,
so that a caller can kill one pool process (as the out-of-memory killer would) or the whole
worker (as a lost machine would), and so that stopping it leaves no pool process behind. The
rest is the tests' own: a worker on the test database, and polling for what it did."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

# A cold start of Django and WeasyPrint on a busy 2-core machine.
READY_TIMEOUT_S = 90


@dataclass(frozen=True)
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def children(self) -> list[int]:
        """The pids of the pool processes that run the tasks (none once the worker is gone)."""
        pid = self.process.pid
        with contextlib.suppress(OSError):
            return [
                int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            ]
        return []

    def kill_child(self, pid: int) -> None:
        """SIGKILL one pool process; wait until the worker no longer lists it (it forks a
        replacement)."""
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid in self.children() and time.monotonic() < deadline:
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the whole worker, pool and all: nothing is acknowledged or handed back."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def worker_start(
    *,
    log: Path,
    env: dict[str, str],
    options: Sequence[str] = (),
    app: str = "cto",
    cwd: Path | None = None,
    name: str = "worker",
) -> Iterator[WorkerProcess]:
    """Start `celery -A app worker` with ``options`` and ``env`` as its whole environment,
    writing to ``log``; yield it once it consumes; stop it on exit, whatever is left of it."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "--loglevel=INFO",  # it says " ready." at INFO
        "--without-gossip",
        "--without-mingle",
        f"--hostname={name}-{uuid.uuid4().hex[:8]}@%h",
        *options,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(  # the project's own worker, our own arguments
            command,
            cwd=cwd,
            # Readiness is read from the log, which says " ready." at INFO.
            env={**env, "LOG_LEVEL": "INFO"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = WorkerProcess(process, log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b" ready." not in log.read_bytes():
            if process.poll() is not None:
                raise RuntimeError(f"The {name} worker exited early:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"The {name} worker was not ready in time:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.1)
        yield worker
    finally:
        if process.poll() is None:
            process.terminate()  # a warm shutdown: the task in hand finishes or is handed back
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        worker.kill()  # pool processes a killed parent left behind


# --- The tests' worker ---------------------------------------------------------------------

# The worker a test gets: its pool processes can be listed and killed.
Worker = WorkerProcess


def database_url_of_the_tests() -> str:
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
    with worker_start(
        log=log_dir / f"{name}.log",
        env={**os.environ, "DATABASE_URL": database_url_of_the_tests(), **(env or {})},
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
