"""cto/reports/tasks.py under fault drills with real worker processes on the Redis broker: a
worker killed mid-render, a report that kills its worker every time, a rendering past its time
budget. Every report ends `ready` or `failed` with a message: none is lost, none is rendered
twice, no worker wedges."""

from __future__ import annotations

import copy
import datetime
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.engagements.models import Engagement
from cto.reports import services
from cto.reports.models import Report
from tests.celery_worker import celery_worker_process, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committed(ai_engagement: Engagement) -> Engagement:
    """The engagement, committed (the workers read it from their own connections)."""
    assert django_settings.CELERY_BROKER_URL.startswith("redis://"), (
        "make test sets up the Redis broker"
    )
    return ai_engagement


def _with_rows(report: Report, rows: int) -> None:
    """Make the report's snapshot a long one: its dimension table repeated to ``rows`` rows
    (a pathological input: what a runaway list in any section would give)."""
    data: dict[str, Any] = copy.deepcopy(report.snapshot)
    dimensions = data["audit"]["dimensions"]
    data["audit"]["dimensions"] = (dimensions * (rows // len(dimensions) + 1))[:rows]
    Report.objects.filter(pk=report.pk).update(snapshot=data)


def _files(engagement: Engagement) -> list[str]:
    folder = Path(django_settings.PRIVATE_ROOT) / "reports" / str(engagement.pk)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _status(*reports: Report) -> list[tuple[str, int]]:
    by_pk = {
        r.pk: (r.status, r.attempts) for r in Report.objects.filter(pk__in=[r.pk for r in reports])
    }
    return [by_pk[r.pk] for r in reports]


def test_a_worker_killed_while_rendering_loses_no_report(
    committed: Engagement, tmp_path: Path
) -> None:
    slow, *others = (
        services.report_request(engagement=committed, kind="week_one", by=None) for _ in range(3)
    )
    _with_rows(slow, 600)
    with celery_worker_process(log_dir=tmp_path, name="killed") as worker:
        rendering = wait_for(
            lambda: Report.objects.filter(pk=slow.pk, status="rendering").exists(), timeout=60
        )
        assert rendering, worker.log.read_text()
        worker.kill()  # the whole worker, pool and all
    assert _status(slow)[0] == ("rendering", 1)

    with celery_worker_process(log_dir=tmp_path, name="restarted") as worker:
        # The periodic sweeper, run as if its deadline had passed: it queues again what the
        # dead worker held (the broker would hand it back only after its visibility timeout).
        later = timezone.now() + datetime.timedelta(
            seconds=django_settings.REPORT_STUCK_AFTER_SECONDS
        )
        assert slow.pk in services.reports_sweep(now=later)
        done = wait_for(lambda: Report.objects.filter(status="ready").count() == 3, timeout=120)
        assert done, worker.log.read_text()
    reports = list(Report.objects.order_by("pk"))
    assert [r.number for r in reports] == [1, 2, 3]
    assert _files(committed) == sorted(Path(r.file.name).name for r in reports)
    assert _status(slow)[0] == ("ready", 2)
    assert all(r.attempts == 1 for r in Report.objects.filter(pk__in=[o.pk for o in others]))


def test_a_report_that_kills_its_worker_fails_after_three_attempts_while_others_finish(
    committed: Engagement, tmp_path: Path
) -> None:
    poison = services.report_request(engagement=committed, kind="week_one", by=None)
    _with_rows(poison, 600)
    others = [
        services.report_request(engagement=committed, kind="week_one", by=None) for _ in range(2)
    ]
    with celery_worker_process(log_dir=tmp_path, name="poisoned") as worker:
        for attempt in (1, 2, 3):
            caught = wait_for(
                lambda attempt=attempt: _status(poison)[0] == ("rendering", attempt), timeout=60
            )
            assert caught, worker.log.read_text()
            for child in worker.children():  # what an out-of-memory kill would do
                os.kill(child, signal.SIGKILL)
        finished = wait_for(
            lambda: _status(poison, *others) == [("failed", 3), ("ready", 1), ("ready", 1)],
            timeout=120,
        )
        assert finished, (_status(poison, *others), worker.log.read_text())
    poison.refresh_from_db()
    assert "stopped 3 times" in poison.error
    assert poison.file.name == ""


def test_a_rendering_past_its_time_budget_fails_with_a_message_and_the_worker_goes_on(
    committed: Engagement, tmp_path: Path, settings: Settings
) -> None:
    # Celery sends a task's time limits with its message: the process that queues the report
    # sets its budget.
    settings.REPORT_RENDER_SECONDS = 2
    huge = services.report_request(engagement=committed, kind="week_one", by=None)
    _with_rows(huge, 10_000)
    after = services.report_request(engagement=committed, kind="week_one", by=None)
    with celery_worker_process(
        log_dir=tmp_path,
        name="budget",
        env={"REPORT_MAX_PAGES": "100000"},
    ) as worker:
        finished = wait_for(
            lambda: [s for s, _ in _status(huge, after)] == ["failed", "ready"], timeout=120
        )
        assert finished, (_status(huge, after), worker.log.read_text())
    huge.refresh_from_db()
    assert huge.error == "Rendering took longer than the 2 s one report may take; it was stopped."
