"""A real `celery worker` for the drills, on the drills' database and broker, in a process
group of its own so that a drill can kill one pool process or the whole worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT_S = 90  # a cold start of Django and WeasyPrint on a busy 2-core machine
APP = "drills.worker_app"  # the project's Celery app, noting which process renders what


@dataclass(frozen=True)
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    tasks_dir: Path

    def children(self) -> list[int]:
        """The pids of the pool processes that run the tasks."""
        pid = self.process.pid
        listing = Path(f"/proc/{pid}/task/{pid}/children")
        with contextlib.suppress(OSError):  # the worker is gone: no children
            return [int(child) for child in listing.read_text().split()]
        return []

    def rendering(self) -> dict[int, int]:
        """Pool process pid → the id of the report it is rendering, for live ones only (a
        killed process leaves its note behind)."""
        running = {}
        for pid in self.children():
            with contextlib.suppress(OSError, ValueError):  # finished meanwhile
                running[pid] = int((self.tasks_dir / str(pid)).read_text())
        return running

    def kill_child(self, pid: int) -> None:
        """SIGKILL one pool process, as the out-of-memory killer would; wait until the worker
        no longer lists it (it forks a replacement)."""
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid in self.children() and time.monotonic() < deadline:
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the whole worker, pool and all, as a lost machine would: nothing is acked
        or handed back."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def celery_worker(
    *, name: str, folder: Path, env: dict[str, str], concurrency: int = 2
) -> Iterator[Worker]:
    """Start a worker on the `reports` queue with ``env`` added to ours; yield it once it
    consumes; stop it on exit (whatever is left of it)."""
    tasks_dir = folder / f"{name}-tasks"
    tasks_dir.mkdir()
    log = folder / f"{name}.log"
    worker_env = {
        **os.environ,
        "LOG_LEVEL": "INFO",  # the worker says " ready." at INFO
        "DRILL_TASKS_DIR": str(tasks_dir),
        **env,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  # the project's own worker, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                APP,
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--queues=reports",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=drill-{name}-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=worker_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log, tasks_dir)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the {name} worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield worker
    finally:
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        worker.kill()  # pool processes a killed parent left behind
