"""The week-one report through the real pipeline: requested in this process, published to Redis
on commit, rendered by a `celery worker` subprocess, polled until `ready` (issue 10, the PDF
part's latency and throughput; bench/report_render.py measures the rendering itself).

Run with `make bench`, which gives it a PostgreSQL (DATABASE_URL, whose database is dropped and
made again: its name must start with `cto_bench`) and a Redis (REDIS_URL: the broker, under a
key prefix of this run's own, and the worker's cache, as in production). Standalone, with both
variables set: `uv run python bench/report_pipeline.py`; BENCH_PIPELINE_REPORTS=5
BENCH_PIPELINE_BURST=4 make a quick run.

- Latency: BENCH_PIPELINE_REPORTS (20) reports one at a time, each from the call of
  services.report_request ("generate") until this process reads it `ready` (a one-column query
  every POLL_MS), on a worker with one pool process, warmed up by one report first. Compared to
  the render time the worker records on the row (Report.render_ms: WeasyPrint's layout and PDF,
  pdf.render) in the same run; the target is a median of at most that median + 300 ms. The
  stamps of bench/celery_worker.py split each report's time: the request (snapshot, insert,
  commit, publish), the broker, the hand-off to the pool process, the task (claim, template,
  render, store) and the poll.
- Throughput: BENCH_PIPELINE_BURST (30) reports requested in one transaction, so that all are
  published at its commit, timed from the commit until the last is `ready`, with a worker of 1
  and then of 2 pool processes (--concurrency), each warmed up first. Reports per minute.

Prints a Markdown table and writes the `pdf_pipeline` section of bench/results.json.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402  # after the path
from bench.celery_worker import (  # noqa: E402  # after the path
    STAMPS_VARIABLE,
    stamps_connect,
    stamps_read,
    worker_process,
)
from bench.web import database_recreate  # noqa: E402  # same

if TYPE_CHECKING:
    from cto.engagements.models import Engagement

REPORTS = int(os.environ.get("BENCH_PIPELINE_REPORTS", "20"))
BURST = int(os.environ.get("BENCH_PIPELINE_BURST", "30"))
CONCURRENCIES = (1, 2)
POLL_MS = 10  # more often, and the polling takes CPU from the worker on a small machine
TIMEOUT_S = 600  # for one burst on a busy machine; a stuck report ends the run with the log
TARGET_GAP_MS = 300


def log(message: str) -> None:
    print(f"bench/report_pipeline: {message}", file=sys.stderr, flush=True)


def p95(timings: list[float]) -> float:
    """The nearest-rank 95th percentile: with 20 reports, the second slowest."""
    return sorted(timings)[math.ceil(len(timings) * 0.95) - 1]


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


# --- Requesting and waiting ------------------------------------------------------------------


def wait_ready(report_ids: list[int], *, interval_s: float, log_path: Path) -> float:
    """Poll until every report is `ready`; return when this process first saw it so. A report
    that failed, or a wait past TIMEOUT_S, ends the run with the worker's log."""
    from cto.reports.models import Report

    deadline = time.monotonic() + TIMEOUT_S
    pending = set(report_ids)
    while True:
        finished = dict(
            Report.objects.filter(
                pk__in=pending, status__in=[Report.Status.READY, Report.Status.FAILED]
            ).values_list("pk", "status")
        )
        if Report.Status.FAILED in finished.values() or time.monotonic() > deadline:
            worker_log = log_path.read_text()[-4000:]
            sys.exit(
                f"bench/report_pipeline: a report failed or hung; the worker's log:\n{worker_log}"
            )
        pending -= finished.keys()
        if not pending:
            return time.time()
        time.sleep(interval_s)


def request_burst(engagement: Engagement, count: int) -> tuple[list[int], float]:
    """Request ``count`` reports in one transaction, so that all are published at its commit;
    return their ids and the time of the commit."""
    from django.db import transaction

    from cto.reports import services
    from cto.reports.models import Report

    committed: list[float] = []
    with transaction.atomic():
        ids = [
            services.report_request(engagement=engagement, kind=Report.Kind.WEEK_ONE, by=None).pk
            for _ in range(count)
        ]
        # Runs after the commit and after every message is published (on_commit keeps order).
        transaction.on_commit(lambda: committed.append(time.time()))
    return ids, committed[0]


def latency(engagement: Engagement, log_path: Path, stamps: Path) -> dict[str, Any]:
    """REPORTS reports one at a time: their end-to-end times and where those went."""
    from cto.reports import services
    from cto.reports.models import Report

    rows = []
    for _ in range(REPORTS):
        started = time.time()
        report = services.report_request(engagement=engagement, kind=Report.Kind.WEEK_ONE, by=None)
        returned = time.time()
        seen = wait_ready([report.pk], interval_s=POLL_MS / 1000, log_path=log_path)
        rows.append((report.pk, started, returned, seen))
    render_ms = dict(
        Report.objects.filter(pk__in=[row[0] for row in rows]).values_list("pk", "render_ms")
    )
    by_report = stamps_read(stamps)
    parts: dict[str, list[float]] = {
        key: []
        for key in (
            "end_to_end",
            "from_commit",
            "request",
            "broker",
            "to_pool",
            "task",
            "render",
            "task_besides_render",
            "poll",
        )
    }
    for pk, started, returned, seen in rows:
        events = by_report[pk]
        rendered = float(render_ms[pk] or 0)
        task = (events["finished"] - events["started"]) * 1000
        parts["end_to_end"].append((seen - started) * 1000)
        parts["from_commit"].append((seen - returned) * 1000)
        parts["request"].append((events["published"] - started) * 1000)
        parts["broker"].append((events["received"] - events["published"]) * 1000)
        parts["to_pool"].append((events["started"] - events["received"]) * 1000)
        parts["task"].append(task)
        parts["render"].append(rendered)
        parts["task_besides_render"].append(task - rendered)
        # Negative when the poll saw the commit before the pool process's last signal ran.
        parts["poll"].append((seen - events["finished"]) * 1000)
    figures = {f"{key}_median_ms": median(values) for key, values in parts.items()}
    figures["end_to_end_p95_ms"] = round(p95(parts["end_to_end"]), 1)
    figures["from_commit_p95_ms"] = round(p95(parts["from_commit"]), 1)
    figures["render_p95_ms"] = round(p95(parts["render"]), 1)
    gap = figures["end_to_end_median_ms"] - figures["render_median_ms"]
    figures["gap_median_ms"] = round(gap, 1)
    figures["target_met"] = figures["gap_median_ms"] <= TARGET_GAP_MS
    return figures


def throughput(
    engagement: Engagement, concurrency: int, log_path: Path, stamps: Path
) -> dict[str, Any]:
    """BURST reports published at once, until the last is ready. With it, whether the pool
    processes were kept busy (the share of their time in a task) and how long each rendering
    took: a slower render with more processes means they were short of CPU, not of work."""
    from cto.reports.models import Report

    started = time.time()
    ids, committed = request_burst(engagement, BURST)
    done = wait_ready(ids, interval_s=0.05, log_path=log_path)
    by_report = stamps_read(stamps)
    busy = sum(by_report[pk]["finished"] - by_report[pk]["started"] for pk in ids)
    renders = list(Report.objects.filter(pk__in=ids).values_list("render_ms", flat=True))
    return {
        "reports": BURST,
        "requesting_s": round(committed - started, 2),
        "commit_to_all_ready_s": round(done - committed, 2),
        "reports_per_minute": round(BURST / (done - committed) * 60, 1),
        "render_median_ms": median([float(ms or 0) for ms in renders]),
        "pool_busy_share": round(busy / (concurrency * (done - committed)), 3),
    }


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    lines = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return round(int(lines[0].split()[1]) / 1024, 1) if lines else None


# --- The run ---------------------------------------------------------------------------------


def prepare(env: dict[str, str]) -> Engagement:
    """Migrate and seed the week-one engagement in this process, with the worker's settings."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.week_one import realistic_engagement

    for noisy in ("celery", "fontTools", "weasyprint"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    call_command("migrate", interactive=False, verbosity=0)
    return realistic_engagement()


def warm_up(engagement: Engagement, concurrency: int, log_path: Path) -> None:
    """A report per pool process, so that fonts and the stylesheet are loaded before timing."""
    ids, _ = request_burst(engagement, concurrency)
    wait_ready(ids, interval_s=0.05, log_path=log_path)


def redis_forget(redis_url: str, prefix: str) -> None:
    """Remove this run's broker keys (kombu's bindings stay behind after the queues empty)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("bench/report_pipeline: set DATABASE_URL (PostgreSQL) and REDIS_URL.")
    database_recreate(database_url)
    prefix = f"cto-bench-pdf-{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory(prefix="cto-bench-pdf-") as folder:
        stamps = Path(folder) / "stamps.txt"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cto.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",  # as in production: no query log growing in the worker
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "VAR_DIR": folder,
            "PRIVATE_ROOT": str(Path(folder) / "private"),  # the worker writes, we may read
            "CELERY_BROKER_URL": redis_url,
            "CELERY_KEY_PREFIX": prefix,  # this run's queues, apart from any other user's
            "REDIS_URL": redis_url,
            STAMPS_VARIABLE: str(stamps),
        }
        engagement = prepare(env)
        stamps_connect()  # the publishing side of the stamps is this process
        runs: dict[str, Any] = {}
        try:
            for concurrency in CONCURRENCIES:
                log(f"worker with {concurrency} pool process(es)...")
                with worker_process(env=env, concurrency=concurrency, log_dir=Path(folder)) as w:
                    warm_up(engagement, concurrency, w.log)
                    if concurrency == 1:
                        log(f"latency: {REPORTS} reports one at a time...")
                        runs["latency"] = latency(engagement, w.log, stamps)
                    log(f"throughput: {BURST} reports at once...")
                    runs[f"throughput_{concurrency}"] = throughput(
                        engagement, concurrency, w.log, stamps
                    )
                    runs[f"throughput_{concurrency}"]["pool_peak_rss_mb"] = [
                        peak_rss_mb(pid) for pid in w.children()
                    ]
        finally:
            redis_forget(redis_url, prefix)
            from django.db import connections

            connections.close_all()  # the database must be free to be dropped by the next run
    report(runs)


def report(runs: dict[str, Any]) -> None:
    lat = runs["latency"]
    written = results.record(
        "pdf_pipeline",
        {
            "setup": "celery worker subprocess (prefork), Redis broker, PostgreSQL, DEBUG=0",
            "render_time": "Report.render_ms, recorded by the worker (pdf.render)",
            "target": f"end-to-end median <= render median + {TARGET_GAP_MS} ms",
            "latency": {"reports": REPORTS, "poll_ms": POLL_MS, **lat},
            **{key: value for key, value in runs.items() if key.startswith("throughput")},
        },
    )
    print(f"\nWeek-one report through Redis and a real worker, {os.cpu_count()} CPUs:\n")
    print("| measure | median ms | p95 ms | target |")
    print("|---|---:|---:|---|")
    verdict = "met" if lat["target_met"] else "missed"
    print(
        f"| generate → ready (end to end) | {lat['end_to_end_median_ms']:.0f} "
        f"| {lat['end_to_end_p95_ms']:.0f} | ≤ render + {TARGET_GAP_MS} ms: {verdict} "
        f"(+{lat['gap_median_ms']:.0f} ms) |"
    )
    print(
        f"| render in the worker (render_ms) | {lat['render_median_ms']:.0f} "
        f"| {lat['render_p95_ms']:.0f} | |"
    )
    print(
        f"| committed → ready | {lat['from_commit_median_ms']:.0f} "
        f"| {lat['from_commit_p95_ms']:.0f} | |"
    )
    print(f"\nWhere the end-to-end time goes ({REPORTS} reports one at a time, medians):\n")
    print("| part | median ms |")
    print("|---|---:|")
    for key, label in (
        ("request", "request: snapshot, insert, commit, publish"),
        ("broker", "Redis: published → received by the worker"),
        ("to_pool", "worker: received → started in the pool process"),
        ("render", "task: WeasyPrint layout and PDF (render_ms)"),
        ("task_besides_render", "task: claim, template, store the file, commit"),
        ("poll", "task's end → seen ready by the poll"),
    ):
        print(f"| {label} | {lat[f'{key}_median_ms']:.0f} |")
    print(f"\nThroughput, {BURST} reports published at once:\n")
    print(
        "| pool processes | commit → all ready | reports/minute | render median | busy "
        "| peak RSS per process |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    for concurrency in CONCURRENCIES:
        run = runs[f"throughput_{concurrency}"]
        print(
            f"| {concurrency} | {run['commit_to_all_ready_s']:.1f} s "
            f"| {run['reports_per_minute']:.1f} | {run['render_median_ms']:.0f} ms "
            f"| {run['pool_busy_share']:.0%} "
            f"| {', '.join(f'{mb:.0f} MB' for mb in run['pool_peak_rss_mb'] if mb)} |"
        )
    print(f"\nWritten to {written.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
