"""What a week-one report costs beyond WeasyPrint itself, and whether a worker's memory holds
steady over many reports. On PostgreSQL, in this process, through the worker's own code path.

Run with `make bench`. The report is a realistic one (bench/week_one.py): the demo's AI
engagement with its two audits (charts), AI plan, three-option quote, and a 40-item checklist
with evidence.

- Overhead: the median (and p95) time of gathering the snapshot + templating + rendering,
  against the median (and p95) time WeasyPrint alone takes on the same final HTML (same fetcher
  stylesheet and fonts), BENCH_ROUNDS (default 20) of each, alternated so that a busy moment of the
  machine weighs on both sides alike. The target is a ratio of medians of at most 1.2 x.
- Memory: the peak resident size (VmHWM) of this process after 20 and after BENCH_REPORTS
  (default 200) reports requested and rendered in a row, as a worker child would before it is
  replaced (CELERY_WORKER_MAX_TASKS_PER_CHILD). The target is less than 10 % growth.

Prints a Markdown table and writes the `pdf` section of bench/results.json. The same report
through Redis and a real worker is bench/report_pipeline.py.
"""

from __future__ import annotations

import logging
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")
os.environ.setdefault("PRIVATE_ROOT", tempfile.mkdtemp(prefix="cto-bench-"))
django.setup()

import weasyprint  # noqa: E402  # after django.setup()
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import results  # noqa: E402  # after the path
from bench.week_one import CHECKLIST_ITEMS, realistic_engagement  # noqa: E402  # same

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
REPORTS = int(os.environ.get("BENCH_REPORTS", "200"))


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux's VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("No VmHWM in /proc/self/status (the memory figure needs Linux).")


def p95(timings: list[float]) -> float:
    """The nearest-rank 95th percentile: with 20 rounds, the second slowest."""
    return sorted(timings)[math.ceil(len(timings) * 0.95) - 1]


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("make bench measures on PostgreSQL: set DATABASE_URL (make bench does).")
    setup_test_environment()  # email to memory, not to the console
    for noisy in ("celery", "fontTools", "weasyprint"):  # a line per task or subset otherwise
        logging.getLogger(noisy).setLevel(logging.ERROR)
    settings.DEBUG = False
    # The worker's code path, in this process: a requested report renders on commit.
    from cto.celery import app

    app.conf.task_always_eager = True
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from cto.reports import pdf, services
        from cto.reports.models import Report

        engagement = realistic_engagement()
        timed = services.report_render_unsaved(engagement=engagement, kind="week_one")  # warm-up
        pages = timed.rendered.pages
        pipeline, alone, gather, template = [], [], [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            timed = services.report_render_unsaved(engagement=engagement, kind="week_one")
            pipeline.append((time.perf_counter() - started) * 1000)
            gather.append(timed.gather_ms)
            template.append(timed.template_ms)
            started = time.perf_counter()
            weasyprint.HTML(
                string=timed.html, base_url="static:/", url_fetcher=pdf.StaticOnlyFetcher()
            ).write_pdf(
                # The app's own font configuration: a fresh one would not hold the fonts
                # report.css declares, and would lay the text out in fallback fonts.
                stylesheets=[pdf.print_stylesheet()],
                font_config=pdf.font_configuration(),
            )
            alone.append((time.perf_counter() - started) * 1000)

        peaks = {}
        for index in range(1, REPORTS + 1):
            report = services.report_request(
                engagement=engagement, kind=Report.Kind.WEEK_ONE, by=None
            )
            assert Report.objects.get(pk=report.pk).status == "ready"  # noqa: S101
            if index in (20, REPORTS):
                peaks[index] = peak_rss_mb()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    ours, theirs = statistics.median(pipeline), statistics.median(alone)
    ratio = ours / theirs
    growth = (peaks[REPORTS] - peaks[20]) / peaks[20] * 100
    written = results.record(
        "pdf",
        {
            "report": f"week_one, {pages} pages, {CHECKLIST_ITEMS} checklist items",
            "rounds": ROUNDS,
            "pipeline_median_ms": round(ours, 1),
            "pipeline_p95_ms": round(p95(pipeline), 1),
            "gather_median_ms": round(statistics.median(gather), 1),
            "template_median_ms": round(statistics.median(template), 1),
            "weasyprint_median_ms": round(theirs, 1),
            "weasyprint_p95_ms": round(p95(alone), 1),
            "ratio": round(ratio, 3),
            "ratio_met": ratio <= 1.2,
            "reports": REPORTS,
            "peak_rss_mb_after_20": round(peaks[20], 1),
            "peak_rss_mb_at_end": round(peaks[REPORTS], 1),
            "growth_percent": round(growth, 2),
            "growth_met": growth < 10,
        },
    )
    print(f"\nWeek-one report ({pages} pages), {ROUNDS} rounds each (database {name}):\n")
    print("| measure | value | target |")
    print("|---|---:|---|")
    print(f"| gather + template + render, median | {ours:.0f} ms | |")
    print(f"| gather + template + render, p95 | {p95(pipeline):.0f} ms | |")
    print(f"| of which gather (snapshot), median | {statistics.median(gather):.0f} ms | |")
    print(f"| of which template, median | {statistics.median(template):.0f} ms | |")
    print(f"| WeasyPrint alone on the same HTML, median | {theirs:.0f} ms | |")
    print(f"| WeasyPrint alone on the same HTML, p95 | {p95(alone):.0f} ms | |")
    print(f"| ratio of the medians | {ratio:.2f} x | at most 1.2 x |")
    print(f"| peak memory after 20 reports | {peaks[20]:.0f} MB | |")
    print(f"| peak memory after {REPORTS} reports | {peaks[REPORTS]:.0f} MB | |")
    print(f"| growth after the first 20 | {growth:.1f} % | under 10 % |")
    print(f"\nWritten to {written.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
