"""Worker faults, with real `celery worker` processes on the Redis broker rendering the demo's
week-one report.

- workers: 50 reports; 10 pool processes SIGKILLed mid-render, then the whole worker, which
  is restarted. The killed processes' reports are handed back by the broker
  (acks late, reject on worker lost); what the dead worker held comes back through the
  sweeper. Every report ends ready, within 3 attempts, with one file each.
- poison: one report whose pool process is killed every time it renders it, among 49
  normal ones: it ends failed after exactly 3 attempts; the 49 are ready at the first.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from cto.demo.seed import seed_demo
from cto.engagements.models import Engagement
from cto.reports import services
from cto.reports.models import Report
from drills import broker_keys
from drills.verdict import Verdict
from drills.worker import Worker, celery_worker

REPORTS = 50
CHILD_KILLS = 10
KILL_EVERY = 3  # reports ready between two kills of a pool process
DEMO_ENGAGEMENT = "AI support agent to production"
SETTLED = (Report.Status.READY, Report.Status.FAILED)
WAIT_S = 150  # for any one stage of a drill, on a busy machine
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """The rows and files the drill's reports ended with."""

    ready: int
    failed: int
    most_attempts: int
    extra_attempts: int  # renderings started again after a kill
    rows: int
    numbers: int  # distinct (kind, number) pairs: a duplicate row would repeat one
    files: int
    orphan_files: int  # on disk, named by no row
    missing_files: int  # named by a row, not on disk

    @property
    def files_match_rows(self) -> bool:
        return self.orphan_files == 0 and self.missing_files == 0

    def describe(self) -> str:
        return (
            f"{self.ready} ready, {self.failed} failed, attempts at most {self.most_attempts} "
            f"({self.extra_attempts} renders restarted); {self.files} files for {self.rows} rows "
            f"({self.orphan_files} orphan, {self.missing_files} missing)"
        )


def _demo_engagement() -> Engagement:
    """The demo's AI engagement with no report yet (the seed queues one; earlier drills made
    theirs): each drill counts rows and files of its own."""
    seed_demo()
    engagement = Engagement.objects.get(title=DEMO_ENGAGEMENT)
    Report.objects.filter(engagement=engagement).delete()
    return engagement


def _request(engagement: Engagement, count: int) -> list[int]:
    return [
        services.report_request(engagement=engagement, kind=Report.Kind.WEEK_ONE, by=None).pk
        for _ in range(count)
    ]


def _settled(ids: list[int]) -> int:
    return Report.objects.filter(pk__in=ids, status__in=SETTLED).count()


def _ready(ids: list[int]) -> int:
    return Report.objects.filter(pk__in=ids, status=Report.Status.READY).count()


def _poll(probe: Callable[[], T | None], *, timeout: float = WAIT_S) -> T | None:
    """Call ``probe`` every 0.1 s until it returns something other than None or False; that
    answer, or None when the time is up."""
    deadline = time.monotonic() + timeout
    while (answer := probe()) is None or answer is False:
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)
    return answer


def _wait(predicate: Callable[[], bool], *, timeout: float = WAIT_S) -> bool:
    return _poll(predicate, timeout=timeout) is True


def _outcome(engagement: Engagement, private_root: Path) -> Outcome:
    rows = Report.objects.filter(engagement=engagement)
    figures = rows.aggregate(
        ready=Count("pk", filter=Q(status=Report.Status.READY)),
        failed=Count("pk", filter=Q(status=Report.Status.FAILED)),
        most=Max("attempts"),
    )
    attempts = list(rows.values_list("attempts", flat=True))
    named = {Path(name).name for name in rows.exclude(file="").values_list("file", flat=True)}
    folder = private_root / "reports" / str(engagement.pk)
    on_disk = {path.name for path in folder.iterdir()} if folder.exists() else set()
    return Outcome(
        ready=figures["ready"],
        failed=figures["failed"],
        most_attempts=figures["most"] or 0,
        extra_attempts=sum(max(0, count - 1) for count in attempts),
        rows=len(attempts),
        numbers=rows.values("kind", "number").distinct().count(),
        files=len(on_disk),
        orphan_files=len(on_disk - named),
        missing_files=len(named - on_disk),
    )


def _broker_problem() -> str | None:
    if not broker_keys.is_redis():
        return f"needs the Redis broker (CELERY_BROKER_URL is {settings.CELERY_BROKER_URL})"
    broker_keys.forget_run_at_exit()
    return None


def _kill_pool_processes(worker: Worker, ids: list[int]) -> int:
    """Kill a pool process in the middle of a rendering, every KILL_EVERY reports ready;
    each time one whose report was never killed before, so that no report meets 3 kills by
    chance (that one would rightly end failed). Returns the kills made."""

    def victim(after_ready: int) -> int | None:
        if _ready(ids) < after_ready:
            return None
        running = worker.rendering()
        first_tries = set(
            Report.objects.filter(
                pk__in=running.values(), status=Report.Status.RENDERING, attempts=1
            ).values_list("pk", flat=True)
        )
        return next((pid for pid, pk in running.items() if pk in first_tries), None)

    kills = 0
    while kills < CHILD_KILLS:
        after = (kills + 1) * KILL_EVERY
        pid = _poll(functools.partial(victim, after))
        if pid is None:
            break
        worker.kill_child(pid)
        kills += 1
    return kills


def _mid_render(worker: Worker) -> int | None:
    """A report one of the worker's processes has claimed and is rendering, if any."""
    running = list(worker.rendering().values())
    return (
        Report.objects.filter(pk__in=running, status=Report.Status.RENDERING)
        .values_list("pk", flat=True)
        .first()
    )


def _drained(ids: list[int], stranded: set[int]) -> Callable[[], bool]:
    """True once the live worker has nothing left to do for the drill: every report is
    settled but those the dead worker held, or nothing has settled for 15 s."""
    last = {"settled": -1, "since": time.monotonic()}

    def check() -> bool:
        settled = _settled(ids)
        if settled != last["settled"]:
            last["settled"], last["since"] = settled, time.monotonic()
        return settled >= len(ids) - len(stranded) or time.monotonic() - last["since"] > 15

    return check


def run_killed() -> Verdict:
    """Worker killed: pool processes, then the whole worker, during 50 renders."""
    problem = _broker_problem()
    if problem:
        return Verdict("workers", False, problem)
    started = time.monotonic()
    engagement = _demo_engagement()
    with tempfile.TemporaryDirectory(prefix="cto-drills-workers-") as tmp:
        folder = Path(tmp)
        env = {"PRIVATE_ROOT": str(folder / "private")}
        ids = _request(engagement, REPORTS)
        with celery_worker(name="killed", folder=folder, env=env) as worker:
            kills = _kill_pool_processes(worker, ids)
            busy = _poll(functools.partial(_mid_render, worker)) is not None
            worker.kill()
        # Only the reports a dead worker took need the sweeper: the others are still in the
        # queue, or ready already.
        stranded = (broker_keys.reports_held_by_workers() & set(ids)) - set(
            Report.objects.filter(pk__in=ids, status__in=SETTLED).values_list("pk", flat=True)
        )
        with celery_worker(name="restarted", folder=folder, env=env):
            # The beat's sweep, run as it would be once the deadline has passed (600 s in
            # production; a shorter one in the drill would also queue again, as stuck, the
            # reports merely waiting their turn). It runs once the live worker has finished all
            # it could, so what it queues again is what nothing else would bring back.
            _wait(_drained(ids, stranded))
            later = timezone.now() + timedelta(seconds=settings.REPORT_STUCK_AFTER_SECONDS + 1)
            swept = set(services.reports_sweep(now=later)) & set(ids)
            _wait(lambda: _settled(ids) == len(ids))
        outcome = _outcome(engagement, folder / "private")
    elapsed = time.monotonic() - started
    passed = (
        kills == CHILD_KILLS
        and busy
        and bool(stranded)
        and swept == stranded
        and outcome.ready == REPORTS
        and outcome.failed == 0
        and outcome.most_attempts <= services.MAX_ATTEMPTS
        and outcome.rows == outcome.numbers == REPORTS
        and outcome.files == REPORTS
        and outcome.files_match_rows
    )
    figures = (
        f"{REPORTS} reports, {kills} pool processes SIGKILLed mid-render, then the whole worker "
        f"(holding {len(stranded)}), restarted, swept ({len(swept)} queued again) → "
        f"{outcome.describe()}; {elapsed:.0f} s"
    )
    return Verdict("workers", passed, figures)


def _kill_poison(worker: Worker, poison: int, ids: list[int]) -> int:
    """Act as the out-of-memory killer: SIGKILL the pool process rendering ``poison``, each
    time, until every report is settled. Stops after MAX_ATTEMPTS + 2 kills: by then the
    claims failed to count it and the verdict is made."""
    kills = killed_attempt = 0
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and kills < services.MAX_ATTEMPTS + 2:
        # Killed once its claim is counted, as memory runs out mid-render: the redelivered
        # message finds the row still `rendering` from the killed attempt until it claims.
        attempt = (
            Report.objects.filter(pk=poison, status=Report.Status.RENDERING)
            .values_list("attempts", flat=True)
            .first()
        )
        holder = next((pid for pid, pk in worker.rendering().items() if pk == poison), None)
        if attempt and attempt > killed_attempt and holder:
            worker.kill_child(holder)
            kills, killed_attempt = kills + 1, attempt
        elif _settled(ids) == len(ids):
            break
        time.sleep(0.05)
    return kills


def run_poison() -> Verdict:
    """Poison report: one of 50 kills its pool process every time it is rendered."""
    problem = _broker_problem()
    if problem:
        return Verdict("poison", False, problem)
    started = time.monotonic()
    engagement = _demo_engagement()
    with tempfile.TemporaryDirectory(prefix="cto-drills-poison-") as tmp:
        folder = Path(tmp)
        ids = _request(engagement, REPORTS)
        poison = ids[REPORTS // 2]  # mid-queue: normal renders before, after and alongside
        with celery_worker(
            name="poisoned", folder=folder, env={"PRIVATE_ROOT": str(folder / "private")}
        ) as worker:
            kills = _kill_poison(worker, poison, ids)
            _wait(lambda: _settled(ids) == len(ids))
        outcome = _outcome(engagement, folder / "private")
    elapsed = time.monotonic() - started
    report = Report.objects.get(pk=poison)
    others = Report.objects.filter(pk__in=ids).exclude(pk=poison)
    others_ready = others.filter(status=Report.Status.READY, attempts=1).count()
    passed = (
        kills == services.MAX_ATTEMPTS
        and report.status == Report.Status.FAILED
        and report.attempts == services.MAX_ATTEMPTS
        and f"stopped {services.MAX_ATTEMPTS} times" in report.error
        and not report.file
        and others_ready == REPORTS - 1
        and outcome.rows == outcome.numbers == REPORTS
        and outcome.files == REPORTS - 1
        and outcome.files_match_rows
    )
    figures = (
        f"1 poison among {REPORTS}, its pool process SIGKILLed {kills} times → poison "
        f"{report.status} after {report.attempts} attempts; {others_ready}/{REPORTS - 1} others "
        f"ready at the first attempt; {outcome.describe()}; {elapsed:.0f} s"
    )
    return Verdict("poison", passed, figures)
