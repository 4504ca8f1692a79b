"""The pages that list or read a lot, at demo size and at a practice's size (issue: `make bench`
part 2, Scale): the operator dashboard, the admin's engagement list (filtered by stage, and
searched), a client's engagement page and its checklist, and the operators' list of checklist
items due this week. Query count and p50/p95 of server time
through Django's whole request stack, in this process, on PostgreSQL.

Run with `make bench` (it gives DATABASE_URL; the database, whose name must start with
`cto_bench`, is dropped and made again). Standalone:
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cto_bench_scale uv run python bench/scale.py`.
BENCH_SCALE (1) multiplies the seeded sizes (0.1: a tenth, for a quick run); BENCH_ROUNDS (30)
is the number of timed requests per page, after BENCH_WARMUP (5). Prints a Markdown table and
records it in bench/results.json under "scale".
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")

from bench import results  # noqa: E402  # after the path
from bench.web import database_recreate  # noqa: E402  # same

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
P95_TARGET_MS = 200.0


def log(message: str) -> None:
    print(f"bench/scale: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Page:
    get: Callable[[], Any]


def measure(page: Page) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = page.get()
        if response.status_code != 200:
            path = response.request["PATH_INFO"]
            sys.exit(f"bench/scale: {path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        page.get()
    # Read now: every request starts by clearing the connection's query log.
    captured = list(queries.captured_queries)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        page.get()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    slowest = max(captured, key=lambda q: float(q["time"]), default=None)
    return {
        "queries": len(captured),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, math.ceil(len(timings) * 0.95) - 1)], 1),
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else 0.0,
        "slowest_query": slowest["sql"][:300] if slowest else "",
    }


def pages() -> dict[str, Page]:
    """The pages, each a GET by the person who reads it: the demo's operator for the dashboard
    and the admin, the demo's clients for their own engagement and checklist."""
    from django.test import Client

    from cto.demo.seed import CLIENTS, OPERATOR
    from cto.engagements.models import Engagement
    from cto.users.models import User

    def signed_in(email: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(email=email))
        return client

    clients = {organisation: login.email for login, _, organisation in CLIENTS}
    operator = signed_in(OPERATOR.email)
    northwind = signed_in(clients["Northwind Analytics"])
    brightline = signed_in(clients["Brightline Logistics"])
    portal = Engagement.objects.get(title="AI support agent to production").pk
    checklist = Engagement.objects.get(title="Platform modernisation").pk
    admin_list = "/admin/engagements/engagement/"

    def dashboard() -> Any:
        return operator.get("/ops/")

    def engagement_page() -> Any:
        return northwind.get(f"/portal/engagements/{portal}/")

    return {
        "operator dashboard": Page(dashboard),
        "admin engagements": Page(lambda: operator.get(admin_list)),
        "admin engagements, stage filter": Page(
            lambda: operator.get(admin_list + "?stage__exact=active")
        ),
        "admin engagements, search": Page(lambda: operator.get(admin_list + "?q=northwind")),
        "portal engagement": Page(engagement_page),
        "checklist": Page(lambda: brightline.get(f"/portal/engagements/{checklist}/checklist/")),
        "checklist items due this week": Page(lambda: operator.get("/ops/due-this-week/")),
    }


def run_pages(label: str) -> dict[str, dict[str, Any]]:
    measured = {}
    for name, page in pages().items():
        log(f"{label}: {name}")
        measured[name] = measure(page)
    return measured


def verdict(demo: dict[str, Any], scale: dict[str, Any]) -> str:
    problems = []
    if scale["queries"] != demo["queries"]:
        problems.append(f"queries {demo['queries']} → {scale['queries']}")
    if scale["p95_ms"] > P95_TARGET_MS:
        problems.append(f"p95 {scale['p95_ms']} > {P95_TARGET_MS:g} ms")
    return "missed: " + ", ".join(problems) if problems else "met"


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench/scale: set DATABASE_URL (PostgreSQL, a cto_bench* database); make bench does."
        )
    database_recreate(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.seed.scale import seed_scale, sizes_from
    from cto.demo.seed import seed_demo

    setup_test_environment()  # the test Client's response.context, allowed hosts
    settings.DEBUG = False  # as in production: no debug context, templates cached

    call_command("migrate", interactive=False, verbosity=0)
    seed_demo()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    demo = run_pages("demo size")

    sizes = sizes_from(SCALE)
    log(f"seeding {sizes} ...")
    report = seed_scale(sizes=sizes)
    log(f"seeded {sum(report.rows.values()):,} rows in {report.seconds:.0f} s; VACUUM ANALYZE")
    with connection.cursor() as cursor:
        # As autovacuum would have left it: statistics, and visibility maps for index-only scans.
        cursor.execute("VACUUM ANALYZE")
        # And the seeder's gigabyte of dirty pages written out now, not by a checkpoint in the
        # middle of the timings (it made single requests several times slower).
        cursor.execute("CHECKPOINT")
    scaled = run_pages("scale")
    connection.close()

    rows = [
        {
            "page": name,
            "queries_demo": demo[name]["queries"],
            "queries_scale": scaled[name]["queries"],
            "p50_ms_demo": demo[name]["p50_ms"],
            "p95_ms_demo": demo[name]["p95_ms"],
            "p50_ms_scale": scaled[name]["p50_ms"],
            "p95_ms_scale": scaled[name]["p95_ms"],
            "slowest_query_ms_scale": scaled[name]["slowest_query_ms"],
            "slowest_query_scale": scaled[name]["slowest_query"],
            "verdict": verdict(demo[name], scaled[name]),
        }
        for name in demo
    ]
    written = results.record(
        "scale",
        {
            "scale": SCALE,
            "sizes": report.rows,
            "seed_seconds": round(report.seconds, 1),
            "rounds": ROUNDS,
            "targets": f"query counts unchanged; p95 <= {P95_TARGET_MS:g} ms at scale",
            "pages": rows,
            "all_targets_met": all(row["verdict"] == "met" for row in rows),
        },
    )
    seeded = ", ".join(f"{n:,} {label}" for label, n in report.rows.items())
    print(
        f"\nPages at demo size and after seeding {seeded} "
        f"(BENCH_SCALE={SCALE:g}, in {report.seconds:.0f} s); in-process test client, "
        f"{ROUNDS} requests each, {os.cpu_count()} CPUs:\n"
    )
    print("| page | queries demo | queries scale | p95 ms demo | p95 ms scale | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row['page']} | {row['queries_demo']} | {row['queries_scale']} "
            f"| {row['p95_ms_demo']} | {row['p95_ms_scale']} | {row['verdict']} |"
        )
    print(f"\nWritten to {written.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
