"""Instructions the web process runs per request, counted by valgrind's callgrind: the intake
step (a GET and the htmx POST) beside the ceiling, the bare view of bench/web.py.

A time on a shared machine moves by half from one run to the next; a count of instructions is
the same on a busy machine and a quiet one, so it shows what a change to the code did. It
counts the Python process only (Django, the view, psycopg's side of each query): not the
kernel, not PostgreSQL, and not the time a request waits on either.

Run with `make bench`, which skips it when valgrind is missing (Debian's valgrind). Standalone:
`DATABASE_URL=postgres://.../cto_bench_count REDIS_URL=redis://... uv run python
bench/instructions.py` (the database is dropped and made again: its name must start with
`cto_bench`). Each request is sent straight to Django's WSGI handler, as gunicorn would hand
it over, after a warm-up; only the measured requests are counted.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402  # after the path

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
WARMUP = 30
QUESTION = "/intake/q/ai_role/"
PAGES = {  # name: (method, path)
    "ceiling (bare view)": ("GET", "/bench/ceiling/"),
    "intake step GET (full page)": ("GET", QUESTION),
    "intake step POST (htmx)": ("POST", QUESTION),
}


def log(message: str) -> None:
    print(f"bench/instructions: {message}", file=sys.stderr, flush=True)


# --- The measured process, under valgrind ------------------------------------------------------


def child(method: str, path: str) -> None:
    """Answer the parent's cues on stdin: warm up, then run REQUESTS requests while the parent
    has callgrind count, then exit."""
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    body = os.environ["BENCH_BODY"].encode() if method == "POST" else b""
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None  # the body comes back as the call's result instead

    def request() -> None:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": os.environ["BENCH_COOKIE"],
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
        }
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["HTTP_HX_REQUEST"] = "true"
            environ["HTTP_X_CSRFTOKEN"] = os.environ["BENCH_CSRF"]
        response = application(environ, start_response)
        b"".join(response)
        response.close()

    for _ in range(WARMUP):
        request()
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(REQUESTS):
        request()
    print("done", flush=True)
    sys.stdin.readline()
    bad = [status for status in statuses if not status.startswith("200")]
    if bad:
        sys.exit(f"bench/instructions: {len(bad)} answers were not 200, such as {bad[0]}")


# --- The parent: the database, a prospect, one valgrind run a page -----------------------------


def prospect() -> dict[str, str]:
    """A prospect at the question measured: their cookies, CSRF token and the POST's body."""
    from django.test import Client

    from cto.intake.models import IntakeResponse

    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/intake/start/")
    response = IntakeResponse.objects.order_by("-pk").first()
    if response is None:
        sys.exit("bench/instructions: the intake did not start.")
    version = response.tree_version_id
    client.post("/intake/q/building/", {"tree_version": version, "text": "A product."})
    if client.get(QUESTION).status_code != 200:
        sys.exit(f"bench/instructions: {QUESTION} did not answer 200.")
    return {
        "BENCH_COOKIE": "; ".join(f"{name}={c.value}" for name, c in client.cookies.items()),
        "BENCH_CSRF": client.cookies["csrftoken"].value,
        "BENCH_BODY": urlencode({"tree_version": version, "choice": "core"}),
    }


def count(name: str, env: dict[str, str], folder: Path) -> int:
    method, path = PAGES[name]
    valgrind_log = folder / "valgrind.log"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",  # nothing is counted until the parent says so
        f"--callgrind-out-file={folder / 'callgrind.out'}",
        f"--log-file={valgrind_log}",
        sys.executable,
        __file__,
        "--child",
        method,
        path,
    ]
    log(f"{name}: {REQUESTS} requests under callgrind...")
    # valgrind from PATH with fixed arguments; the child is this script
    process = subprocess.Popen(  # noqa: S603
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    cues, answers = process.stdin, process.stdout
    if cues is None or answers is None:  # never: both are pipes
        sys.exit("bench/instructions: no pipes to the measured process.")

    def cue(expected: str, then: str) -> None:
        line = answers.readline().strip()
        if line != expected:
            process.kill()
            sys.exit(f"bench/instructions: {name}: expected {expected!r}, got {line!r}")
        toggle = ["callgrind_control", "--instr=" + then, str(process.pid)]
        done = subprocess.run(toggle, capture_output=True, text=True, check=False)  # noqa: S603  # as above
        if done.returncode != 0:
            process.kill()
            sys.exit(f"bench/instructions: callgrind_control failed: {done.stderr.strip()}")

    cue("ready", "on")
    cues.write("go\n")
    cues.flush()
    cue("done", "off")
    cues.write("end\n")
    cues.flush()
    if process.wait() != 0:
        sys.exit(f"bench/instructions: {name}: the measured process failed.")
    collected = re.search(r"Collected : (\d+)", valgrind_log.read_text())
    if collected is None:
        sys.exit(f"bench/instructions: no count in {valgrind_log}")
    return int(collected.group(1)) // REQUESTS


def main() -> None:
    from bench.web import database_recreate, prepare, server_env

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/instructions: set DATABASE_URL (PostgreSQL); make bench does.")
    database_recreate(database_url)
    with tempfile.TemporaryDirectory(prefix="cto-bench-count-") as temporary:
        folder = Path(temporary)
        env = server_env(temporary)
        prepare(env)  # as the web bench: migrated, static files collected, the demo seeded
        env.update(prospect())
        from django.db import connections

        connections.close_all()
        rows: list[dict[str, Any]] = [
            {"page": name, "instructions": count(name, env, folder)} for name in PAGES
        ]
    ceiling = rows[0]["instructions"]
    for row in rows:
        row["of_ceiling"] = round(row["instructions"] / ceiling, 2)
    written = results.record(
        "instructions",
        {"requests": REQUESTS, "counter": "valgrind --tool=callgrind, Ir", "pages": rows},
    )
    print(f"\nInstructions per request in the web process (callgrind, {REQUESTS} requests):\n")
    print("| page | instructions | ratio to the ceiling |")
    print("|---|---:|---:|")
    for row in rows:
        print(f"| {row['page']} | {row['instructions']:,} | {row['of_ceiling']:.2f} x |")
    print(f"\nWritten to {written.relative_to(ROOT)}.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
