"""Throughput and latency of the app's pages under gunicorn, loaded by wrk from a second process
on loopback (issue 10, point 1).

Run with `make bench`, which gives it a PostgreSQL (DATABASE_URL, whose database is dropped and
made again: its name must start with `cto_bench`) and a Redis (REDIS_URL: the two workers share
sessions and rate limits there, as in production). Standalone:
`DATABASE_URL=postgres://.../cto_bench_web REDIS_URL=redis://... uv run python bench/web.py`.

The server runs with DEBUG off, hashed static files and Redis, 2 sync workers; each page is loaded
for BENCH_SECONDS (30) at BENCH_CONNECTIONS (32) after a short warm-up, one page after another in
the same run, next to a ceiling: a bare view rendering a trivial template through the same
middleware (bench/urls.py, never part of the app's URLs). Any response other than 200 counts as
an error. Prints a Markdown table and writes bench/results.json.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402  # after the path
from bench.loadgen import Page, Request, wrk_path, wrk_run, wrk_script  # noqa: E402  # after the path
from bench.visitors import Visitor, expect, intake_visitor, signed_in  # noqa: E402  # same

SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# The operators' pages are loaded as a practice uses them: a few people at once, not the internet.
OPERATOR_CONNECTIONS = int(os.environ.get("BENCH_OPERATOR_CONNECTIONS", "8"))
WARMUP_SECONDS = min(3, SECONDS)
# The server as docs/deployment.md runs it: gunicorn's sync workers, one per core. Every page
# here does its work in a few milliseconds of CPU with short database waits between; threads
# would overlap those waits but share one interpreter lock per process (measured in
# docs/performance.md). BENCH_WORKER_CLASS=gthread tries the other model.
WORKERS = 2
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
# One wrk thread is plenty for loopback at these rates, and leaves the cores to the server.
WRK_THREADS = 1

# The targets of issue 20: page group -> (p95 at most, the same-work page whose throughput it
# must reach a share of, that share).
TARGETS: dict[str, tuple[float, str | None, float | None]] = {
    "intake GET": (50.0, "same-work GET", 0.6),
    "intake POST": (50.0, "same-work POST", 0.6),
    "portal": (100.0, None, None),
    "dashboard": (100.0, None, None),
}


def log(message: str) -> None:
    print(f"bench/web: {message}", file=sys.stderr, flush=True)


# --- Services: database, gunicorn ------------------------------------------------------------


def database_recreate(url: str) -> None:
    """Drop the bench database if it is there and create it empty."""
    server, _, name = url.rpartition("/")
    name = name.split("?")[0]
    if not name.startswith("cto_bench"):
        sys.exit(f"bench/web: refusing to drop {name!r}: the bench database must be cto_bench*.")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[None]:
    """gunicorn with the app, as docs/deployment.md runs it, stopped again whatever happens."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "cto.wsgi",
        f"--workers={WORKERS}",
        f"--worker-class={WORKER_CLASS}",
        *([f"--threads={THREADS}"] if WORKER_CLASS == "gthread" else []),
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        f"--chdir={ROOT}",
    ]
    # A session of its own: a Ctrl-C reaches us, and the finally below stops the server.
    server = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603  # our own
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit(f"bench/web: gunicorn exited ({server.returncode}) before answering.")
            try:
                if Visitor(port).get("/health/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("bench/web: gunicorn did not answer /health/ within 60 s.")
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def page_connections(page: Page) -> int:
    return (
        OPERATOR_CONNECTIONS if page.group in ("portal", "dashboard", "checklist") else CONNECTIONS
    )


def load(wrk: str, port: int, page: Page, folder: Path) -> dict[str, Any]:
    script = folder / f"{page.name.replace(' ', '-')}.lua"
    script.write_text(wrk_script(page))
    connections = page_connections(page)
    log(f"{page.name}: warming up {WARMUP_SECONDS} s, then {SECONDS} s at {connections}...")
    shape = {"connections": connections, "threads": WRK_THREADS}
    wrk_run(wrk, port, script, seconds=WARMUP_SECONDS, **shape)
    raw = wrk_run(wrk, port, script, seconds=SECONDS, **shape)
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "page": page.name,
        "group": page.group,
        "connections": connections,
        "method": page.requests[0].method,
        "path": page.requests[0].path,
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "not_200": raw["not_200"],
        "socket_errors": socket_errors,
        "errors": raw["not_200"] + socket_errors,
    }


# --- The run ---------------------------------------------------------------------------------


def server_env(folder: str) -> dict[str, str]:
    """The environment of the app as production runs it, but on loopback and in ``folder``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: no proxy terminates TLS here
        "VAR_DIR": folder,  # static files, private files and the Celery folder of this run
        "INTAKE_START_RATE": "1000000/h",  # every prospect comes from 127.0.0.1
        "LOG_LEVEL": "WARNING",
    }


def prepare(env: dict[str, str]) -> dict[str, int]:
    """Migrate, collect the static files and seed the demo in this process, with the server's
    settings; return the primary keys the pages need."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from cto.demo.seed import seed_demo
    from cto.engagements.models import Engagement

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed_demo()
    keys = {
        "portal": Engagement.objects.get(title="AI support agent to production").pk,
        "checklist": Engagement.objects.get(title="Platform modernisation").pk,
    }
    connections.close_all()  # the database must be free to be dropped by the next run
    return keys


def logins() -> dict[str, tuple[str, str]]:
    from cto.demo.seed import CLIENTS, OPERATOR

    by_organisation = {organisation: login for login, _, organisation in CLIENTS}
    return {
        "operator": (OPERATOR.email, OPERATOR.password),
        "northwind": (
            by_organisation["Northwind Analytics"].email,
            by_organisation["Northwind Analytics"].password,
        ),
        "brightline": (
            by_organisation["Brightline Logistics"].email,
            by_organisation["Brightline Logistics"].password,
        ),
    }


def pages(port: int, keys: dict[str, int]) -> list[Page]:
    accounts = logins()
    people = {role: signed_in(port, *account) for role, account in accounts.items()}

    def as_(role: str, path: str) -> list[Request]:
        visitor = people[role]
        expect(visitor.get(path), 200, path)
        return [Request("GET", path, {"Cookie": visitor.cookie_header()})]

    # One prospect per connection: their answers are separate rows, as with real visitors.
    prospects = [intake_visitor(port) for _ in range(CONNECTIONS)]
    question = "/intake/q/ai_role/"
    htmx = {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{port}{question}"}
    answer = {"tree_version": "", "choice": "core"}
    for visitor, version in prospects:
        expect(visitor.get(question), 200, "the intake question")
        expect(
            visitor.request(
                "POST",
                question,
                form={**answer, "tree_version": version},
                headers={**htmx, "X-CSRFToken": visitor.csrf()},
            ),
            200,
            "the htmx answer",
        )
    portal = as_("northwind", f"/portal/engagements/{keys['portal']}/")
    dashboard = as_("operator", "/ops/")
    checklist = as_("brightline", f"/portal/engagements/{keys['checklist']}/checklist/")
    same_work = "/bench/same-work/"

    def gets(path: str) -> list[Request]:
        return [Request("GET", path, {"Cookie": v.cookie_header()}) for v, _ in prospects]

    def posts(path: str) -> list[Request]:
        return [
            Request(
                "POST",
                path,
                {
                    **htmx,
                    "Cookie": v.cookie_header(),
                    "X-CSRFToken": v.csrf(),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                urlencode({**answer, "tree_version": version}),
            )
            for v, version in prospects
        ]

    return [
        Page("ceiling (bare view)", "ceiling", [Request("GET", "/bench/ceiling/", {})]),
        Page("same-work GET", "same-work GET", gets(same_work)),
        Page("intake step GET (full page)", "intake GET", gets(question)),
        Page("same-work POST", "same-work POST", posts(same_work)),
        Page("intake step POST (htmx)", "intake POST", posts(question)),
        Page("portal engagement", "portal", portal),
        Page("operator dashboard", "dashboard", dashboard),
        Page("checklist", "checklist", checklist),
    ]


def verdict(row: dict[str, Any], rates: dict[str, float]) -> str:
    target = TARGETS.get(row["group"])
    problems = [f"{row['errors']} errors"] if row["errors"] else []
    if target is not None:
        p95_limit, reference, share = target
        if row["p95_ms"] > p95_limit:
            problems.append(f"p95 {row['p95_ms']} > {p95_limit:g} ms")
        if share is not None and reference and row["requests_per_s"] < share * rates[reference]:
            problems.append(f"{row['of_same_work']:.0%} < {share:.0%} of the same work")
    return "missed: " + ", ".join(problems) if problems else "met"


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("bench/web: set DATABASE_URL (PostgreSQL) and REDIS_URL; make bench does.")
    wrk = wrk_path()
    database_recreate(database_url)
    with tempfile.TemporaryDirectory(prefix="cto-bench-web-") as folder:
        env = server_env(folder)
        keys = prepare(env)
        port = free_port()
        log(f"gunicorn with {WORKERS} workers on 127.0.0.1:{port}")
        with gunicorn(env, port):
            targets = pages(port, keys)
            rows = [load(wrk, port, page, Path(folder)) for page in targets]
    ceiling = rows[0]["requests_per_s"]
    rates = {row["group"]: row["requests_per_s"] for row in rows}
    for row in rows:
        row["of_ceiling"] = round(row["requests_per_s"] / ceiling, 3) if ceiling else 0.0
        reference = TARGETS.get(row["group"], (0.0, None, None))[1]
        if reference is not None and rates[reference]:
            row["of_same_work"] = round(row["requests_per_s"] / rates[reference], 3)
        row["verdict"] = verdict(row, rates)
    report(rows)


def report(rows: list[dict[str, Any]]) -> None:
    written = results.record(
        "web",
        {
            "server": f"gunicorn, {WORKERS} {WORKER_CLASS} workers, DEBUG=0, PostgreSQL, Redis",
            "load": f"wrk, {WRK_THREADS} thread, {SECONDS} s per page",
            "targets": "zero errors; intake p95 <= 50 ms and >= 60 % of the same-work view's "
            f"throughput at {CONNECTIONS} connections; portal and dashboard p95 <= 100 ms at "
            f"{OPERATOR_CONNECTIONS}",
            "pages": rows,
            "all_targets_met": all(not row["verdict"].startswith("missed") for row in rows),
        },
    )
    print(
        f"\nPages under gunicorn ({WORKERS} {WORKER_CLASS} workers, PostgreSQL, Redis), wrk for "
        f"{SECONDS} s each, {os.cpu_count()} CPUs:\n"
    )
    print(
        "| page | connections | req/s | p50 ms | p95 ms | p99 ms | errors | of ceiling "
        "| of same work | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        same = f"{row['of_same_work']:.0%}" if "of_same_work" in row else ""
        print(
            f"| {row['page']} | {row['connections']} | {row['requests_per_s']:.0f} "
            f"| {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['errors']} "
            f"| {row['of_ceiling']:.0%} | {same} | {row['verdict']} |"
        )
    print(f"\nWritten to {written.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
