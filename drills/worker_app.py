"""The Celery app the drills' workers run: the project's own, plus a note of which pool
process is running which report, so that a drill can kill the one it means to (as the
out-of-memory killer picks the process that holds the oversized job).

Used as `celery -A drills.worker_app worker`; the notes go to DRILL_TASKS_DIR, one file per
pool process, named by its pid and holding the id of the report it is rendering."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import signals

from cto.celery import app

__all__ = ["app"]

RENDER_TASK = "cto.reports.tasks.render_report"


def _note(pid: int) -> Path:
    return Path(os.environ["DRILL_TASKS_DIR"]) / str(pid)


@signals.task_prerun.connect
def _note_started(task: Any = None, args: Any = None, **_: Any) -> None:
    if task is not None and task.name == RENDER_TASK and args:
        _note(os.getpid()).write_text(str(args[0]))


@signals.task_postrun.connect
def _note_finished(task: Any = None, **_: Any) -> None:
    if task is not None and task.name == RENDER_TASK:
        _note(os.getpid()).unlink(missing_ok=True)
