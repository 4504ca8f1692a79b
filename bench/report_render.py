"""What a week-one report costs beyond WeasyPrint itself, and whether a worker's memory holds
steady over many reports. On PostgreSQL, in this process, through the worker's own code path.

Run with `make bench`. The report is a realistic one: the demo's AI engagement with its two
audits (charts), AI plan, three-option quote, and a 40-item checklist with evidence.

- Overhead: the median time of gathering the snapshot + templating + rendering, against the
  median time WeasyPrint alone takes on the same final HTML (same fetcher and stylesheet). The
  target is at most 1.2 x.
- Memory: the peak resident size (VmHWM) of this process after 20 and after BENCH_REPORTS
  (default 200) reports requested and rendered in a row, as a worker child would before it is
  replaced (CELERY_WORKER_MAX_TASKS_PER_CHILD). The target is less than 10 % growth.
"""

from __future__ import annotations

import logging
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

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
REPORTS = int(os.environ.get("BENCH_REPORTS", "200"))
CHECKLIST_ITEMS = 40


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux's VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("No VmHWM in /proc/self/status (the memory figure needs Linux).")


def realistic_engagement() -> object:
    from cto.checklists.models import Checklist
    from cto.checklists.services import checklist_apply, evidence_add, item_add
    from cto.demo.seed import OPERATOR, seed_demo
    from cto.engagements.models import Engagement
    from cto.users.models import User

    seed_demo()
    operator = User.objects.get(email=OPERATOR.email)
    engagement = Engagement.objects.get(title="AI support agent to production")
    checklist_apply(engagement=engagement, by=operator)
    checklist = Checklist.objects.get(engagement=engagement)
    for index in range(CHECKLIST_ITEMS - checklist.items.live().count()):
        item_add(
            checklist=checklist,
            section="Delivery",
            title=f"Extra week-one item {index + 1}: confirm the owner and the deadline",
            done_when="The owner has written down the deadline and the first step.",
            owner_side="client",
            due_day=str(index % 5 + 1),
            by=operator,
        )
    for item in list(checklist.items.live())[::2]:
        evidence_add(
            item=item,
            url="https://example.com/evidence/" + item.key if item.key else "",
            note="Reviewed with the client's engineering lead on Tuesday.",
            by=operator,
        )
    return engagement


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
        pipeline, alone = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            timed = services.report_render_unsaved(engagement=engagement, kind="week_one")
            pipeline.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            weasyprint.HTML(
                string=timed.html, base_url="static:/", url_fetcher=pdf.StaticOnlyFetcher()
            ).write_pdf(stylesheets=[pdf.print_stylesheet()])
            alone.append((time.perf_counter() - started) * 1000)

        peaks = {}
        for index in range(1, REPORTS + 1):
            report = services.report_request(engagement=engagement, kind="week_one", by=None)
            assert Report.objects.get(pk=report.pk).status == "ready"  # noqa: S101
            if index in (20, REPORTS):
                peaks[index] = peak_rss_mb()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    ours, theirs = statistics.median(pipeline), statistics.median(alone)
    growth = (peaks[REPORTS] - peaks[20]) / peaks[20] * 100
    print(f"\nWeek-one report ({pages} pages), {ROUNDS} rounds each (database {name}):\n")
    print("| measure | value | target |")
    print("|---|---:|---|")
    print(f"| gather + template + render, median | {ours:.0f} ms | |")
    print(f"| WeasyPrint alone on the same HTML, median | {theirs:.0f} ms | |")
    print(f"| ratio | {ours / theirs:.2f} x | at most 1.2 x |")
    print(f"| peak memory after 20 reports | {peaks[20]:.0f} MB | |")
    print(f"| peak memory after {REPORTS} reports | {peaks[REPORTS]:.0f} MB | |")
    print(f"| growth after the first 20 | {growth:.1f} % | under 10 % |")


if __name__ == "__main__":
    main()
