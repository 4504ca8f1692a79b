"""A real Celery worker for the benchmarks, and the time stamps it leaves of each task.

`worker_process()` starts `celery -A cto worker` as production does (both queues, the app's own
settings) through the launcher the tests and drills use too (tests/celery_worker.py).

The one addition is `--include bench.celery_worker`: this module, loaded by the worker before it
forks its pool, stamps each task's arrival at the consumer and its start and end in the pool
process; the benchmark's own process calls `stamps_connect()` to stamp the publishing. The
stamps go to the file named by BENCH_TASK_STAMPS, one line per event, so a benchmark can tell
where a task's time went. With that variable unset, importing this module connects nothing.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery import signals

from tests.celery_worker import WorkerProcess, worker_start

ROOT = Path(__file__).resolve().parent.parent
STAMPS_VARIABLE = "BENCH_TASK_STAMPS"
RENDER_TASK = "cto.reports.tasks.render_report"  # the only task stamped


# --- The stamps ------------------------------------------------------------------------------


def _stamp(event: str, task_id: str | None, report_id: object = "") -> None:
    # One short append per event: lines from the consumer and the pool processes do not mix.
    with open(os.environ[STAMPS_VARIABLE], "a") as stamps:
        stamps.write(f"{event} {task_id} {time.time():.6f} {report_id}\n")


def _published(headers: dict[str, Any] | None = None, body: Any = None, **_: Any) -> None:
    if headers and headers.get("task") == RENDER_TASK:
        _stamp("published", headers.get("id"), body[0][0])  # protocol 2: (args, kwargs, embed)


def _received(request: Any = None, **_: Any) -> None:
    if request is not None and request.task_name == RENDER_TASK:
        _stamp("received", request.task_id)


def _started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task is not None and task.name == RENDER_TASK:
        _stamp("started", task_id)


def _finished(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task is not None and task.name == RENDER_TASK:
        _stamp("finished", task_id)


def stamps_connect() -> None:
    """Stamp every rendering task this process publishes, receives, starts or finishes (once
    BENCH_TASK_STAMPS is set; connecting twice changes nothing)."""
    signals.after_task_publish.connect(_published, weak=False)
    signals.task_received.connect(_received, weak=False)
    signals.task_prerun.connect(_started, weak=False)
    signals.task_postrun.connect(_finished, weak=False)


if os.environ.get(STAMPS_VARIABLE):  # in the worker, which loads this module with --include
    stamps_connect()


def stamps_read(path: Path) -> dict[int, dict[str, float]]:
    """The stamps of each report's rendering, by report id: {"published": t, "received": t,
    "started": t, "finished": t} in seconds since the epoch (one clock: the same machine)."""
    by_task: dict[str, dict[str, float]] = defaultdict(dict)
    report_of: dict[str, int] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        event, task_id, moment, *rest = line.split()
        by_task[task_id][event] = float(moment)
        if event == "published" and rest:
            report_of[task_id] = int(rest[0])
    return {report_of[task]: events for task, events in by_task.items() if task in report_of}


# --- The worker ------------------------------------------------------------------------------


@contextmanager
def worker_process(
    *, env: dict[str, str], concurrency: int, log_dir: Path
) -> Iterator[WorkerProcess]:
    """`celery worker` with ``concurrency`` pool processes on both queues, with ``env`` as its
    whole environment; yielded once it is ready to consume, stopped on exit."""
    with worker_start(
        log=log_dir / f"worker-{concurrency}.log",
        env=env,
        options=[
            f"--concurrency={concurrency}",
            "--queues=celery,reports",
            "--include=bench.celery_worker",
        ],
        cwd=ROOT,
        name="bench",
    ) as worker:
        yield worker
