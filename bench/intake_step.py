"""Server time and query count of one intake step, through Django's whole request stack
(middleware, the prospect's cookie, view, service, template) on PostgreSQL, in this process.

Run with `make bench`. Prints a Markdown table; times are medians and 95th percentiles of
many requests, because one timing on a shared machine means little.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")
django.setup()

from django.conf import settings  # noqa: E402  # after django.setup()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
WARMUP = 20
HTMX = {"HX-Request": "true"}


def measure(label: str, request: object) -> dict[str, object]:
    for _ in range(WARMUP):
        request()  # type: ignore[operator]
    with CaptureQueriesContext(connection) as queries:
        request()  # type: ignore[operator]
    query_count = len(queries)  # read now: the next request clears the query log
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = request()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code  # noqa: S101
    timings.sort()
    return {
        "step": label,
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "rounds": ROUNDS,
    }


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("make bench measures on PostgreSQL: set DATABASE_URL (make bench does).")
    setup_test_environment()
    settings.DEBUG = False  # as in production: no query log, no debug context
    settings.INTAKE_START_RATE = "1000000/h"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from cto.intake.playbooks import tree_load_shipped

        tree_load_shipped(publish=True)
        client = Client()
        client.post(reverse("intake:start"))
        from cto.intake.models import IntakeResponse

        response = IntakeResponse.objects.get()
        version = response.tree_version_id
        question = reverse("intake:question", args=["ai_role"])
        client.post(
            reverse("intake:question", args=["building"]), {"tree_version": version, "text": "x"}
        )
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                for _ in range(200):
                    client.get(question)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        rows = [
            measure("GET a question (full page)", lambda: client.get(question)),
            measure("GET a question (htmx fragment)", lambda: client.get(question, headers=HTMX)),
            measure(
                "POST an answer (htmx, next question back)",
                lambda: client.post(
                    question, {"tree_version": version, "choice": "core"}, headers=HTMX
                ),
            ),
        ]
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    print(f"\nIntake step on PostgreSQL, {ROUNDS} requests each (database {name}):\n")
    print("| step | queries | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['step']} | {row['queries']} | {row['median_ms']} | {row['p95_ms']} |")


if __name__ == "__main__":
    main()
