"""A real `celery worker` for the drills, on the drills' database and broker, in a process
group of its own so that a drill can kill one pool process or the whole worker."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.celery_worker import WorkerProcess, worker_start

APP = "drills.worker_app"  # the project's Celery app, noting which process renders what


@dataclass(frozen=True)
class Worker(WorkerProcess):
    tasks_dir: Path

    def rendering(self) -> dict[int, int]:
        """Pool process pid → the id of the report it is rendering, for live ones only (a
        killed process leaves its note behind)."""
        running = {}
        for pid in self.children():
            with contextlib.suppress(OSError, ValueError):  # finished meanwhile
                running[pid] = int((self.tasks_dir / str(pid)).read_text())
        return running


@contextlib.contextmanager
def celery_worker(
    *, name: str, folder: Path, env: dict[str, str], concurrency: int = 2
) -> Iterator[Worker]:
    """Start a worker on the `reports` queue with ``env`` added to ours; yield it once it
    consumes; stop it on exit (whatever is left of it)."""
    tasks_dir = folder / f"{name}-tasks"
    tasks_dir.mkdir()
    with worker_start(
        log=folder / f"{name}.log",
        env={**os.environ, "DRILL_TASKS_DIR": str(tasks_dir), **env},
        options=[f"--concurrency={concurrency}", "--queues=reports", "--without-heartbeat"],
        app=APP,
        name=f"drill-{name}",
    ) as started:
        yield Worker(started.process, started.log, tasks_dir)
