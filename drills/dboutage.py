"""Database outage: PostgreSQL stopped for 10 s under load, through 2 gunicorn workers.

The drill runs its own throwaway PostgreSQL (the shared one is never stopped), prepared as the
drills' database is, and loads three pages from a few threads: /health/, the intake start page
of a visitor with answers in progress, and the operators' dashboard /ops/. While the database is
down every page that needs it answers our 503 page with Retry-After (and /health/ its 503
JSON): no 500, no traceback, no request left hanging. When the database is back each page
answers 200 again by itself within a few seconds, and keeps doing so.

`python -m drills.dboutage populate`, with DATABASE_URL on the throwaway cluster, is the step
that prepares it (run by the drill in a process of its own: Django is set up once per process).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from drills.server import Server, _free_port, gunicorn
from drills.verdict import Verdict

OUTAGE_SECONDS = 10.0
BEFORE_SECONDS = 4.0
AFTER_SECONDS = 10.0
CLIENTS_PER_PAGE = 2
# A request that takes longer than this has hung: an outage must be answered, not waited out.
CLIENT_TIMEOUT = 10.0
# From the database being back to the first 200 on a page: it comes back by itself, quickly.
RECOVERY_LIMIT = 5.0
DATABASE_NAME = "cto_drills_outage"  # database.recreate() drops only cto_drills* databases
PAGE_MARKER = "We are back in a minute"  # templates/503.html
# Text that only a debug page or a raw exception would put in a body.
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Exception Value", "psycopg", "Error at")


# --- The throwaway PostgreSQL ------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    bindir: Path
    data: Path
    socket_dir: Path
    log: Path
    port: int
    run_as: tuple[str, ...]  # PostgreSQL refuses to run as root: as the postgres user then

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603  # the installed PostgreSQL, fixed arguments
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        # -w: returns once the server accepts connections.
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.log), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl): install postgresql")
    return Path(initdb).resolve().parent


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A PostgreSQL of the drill's own on a free loopback port, in a temporary folder, stopped
    and removed on exit."""
    bindir = _bindir()
    with tempfile.TemporaryDirectory(prefix="cto-drills-pg-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # the postgres user must reach its data folder
        run_as: tuple[str, ...] = ()
        if os.geteuid() == 0:
            shutil.chown(folder, user="postgres")
            run_as = ("runuser", "-u", "postgres", "--")
        cluster = Cluster(
            bindir=bindir,
            data=folder / "data",
            socket_dir=folder,
            log=folder / "log",
            port=_free_port(),
            run_as=run_as,
        )
        subprocess.run(  # noqa: S603  # the installed PostgreSQL, fixed arguments
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.SubprocessError):
                cluster.stop("immediate")


# --- The rows the pages read (in the throwaway database, from a process of its own) ----------


def populate() -> dict[str, str]:
    """Recreate, migrate and load the database named in DATABASE_URL as the drills' own is, then
    make what the pages read: a visitor with answers in progress and a signed-in operator.
    Returns the Cookie header each sends (the operator's session lives in the shared cache and
    the database, the visitor's response token in their own signed cookie)."""
    from drills import database

    database.prepare()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from cto.core.middleware import SEEN_KEY
    from cto.intake import prospect
    from cto.intake import services as intake_services
    from drills import scene

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    # Stamped as just used: the sliding expiry then writes nothing during the drill.
    now = int(time.time())

    visitor = intake_services.intake_start(tree_slug=scene.TREE_SLUG).token

    user = scene.operator()
    operator = store_class()
    operator[SESSION_KEY] = str(user.pk)
    operator[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    operator[HASH_SESSION_KEY] = user.get_session_auth_hash()
    operator[SEEN_KEY] = now
    operator.save()
    return {
        "visitor": f"{prospect.COOKIE}={prospect.signed(visitor)}",
        "operator": f"{settings.SESSION_COOKIE_NAME}={operator.session_key}",
    }


def _populate_in_a_process(url: str) -> dict[str, str]:
    done = subprocess.run(  # this module, fixed arguments
        [sys.executable, "-m", "drills.dboutage", "populate"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    keys: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return keys


# --- The load ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str  # "" for no one, else the name of a populated visitor (their cookies are sent)
    health: bool = False  # answers JSON, not the page, when the database is down


PAGES = (
    Page("/health/", "/health/", "", health=True),
    Page("/intake/", "/intake/", "visitor"),
    Page("/ops/", "/ops/", "operator"),
)


@dataclass(frozen=True)
class Reply:
    page: str
    started: float
    ended: float
    status: int  # 0: no answer (refused, reset, timed out)
    outage_page: bool  # our 503 page (or /health/'s 503 JSON) with Retry-After
    traceback: bool
    error: str


def _request(server: Server, page: Page, cookie: str) -> Reply:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT)
    try:
        conn.request("GET", page.path, headers={"Cookie": cookie} if cookie else {})
        answer = conn.getresponse()
        body = answer.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return Reply(page.name, started, time.monotonic(), 0, False, False, repr(error))
    finally:
        conn.close()
    if page.health:
        said = body.replace(" ", "") == '{"status":"unavailable"}'
    else:
        said = PAGE_MARKER in body and answer.getheader("Retry-After") == "60"
    return Reply(
        page=page.name,
        started=started,
        ended=time.monotonic(),
        status=answer.status,
        outage_page=answer.status == 503 and said,
        traceback=any(marker in body for marker in TRACEBACK_MARKERS),
        error="",
    )


def _load(server: Server, cookies: dict[str, str], stop: threading.Event) -> list[Reply]:
    """Clients on each page, one request after another, until ``stop``."""

    replies: list[Reply] = []
    lock = threading.Lock()

    def client(page: Page) -> None:
        cookie = cookies.get(page.who, "")
        while not stop.is_set():
            reply = _request(server, page, cookie)
            with lock:
                replies.append(reply)
            time.sleep(0.02)  # leave the two shared cores some room

    threads = [
        threading.Thread(target=client, args=(page,), daemon=True)
        for page in PAGES
        for _ in range(CLIENTS_PER_PAGE)
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=CLIENT_TIMEOUT + 5)
    return replies


# --- The verdict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeline:
    stopping: float  # pg_ctl stop called
    down: float  # ... and returned: the database is down
    starting: float  # pg_ctl start called
    up: float  # ... and returned: the database accepts connections again


@dataclass(frozen=True)
class PageFigures:
    before_ok: bool
    during: int
    during_outage_page: int
    recovery: float | None  # seconds from `up` to the first 200, None if none
    ok_after_recovery: bool


def _page_figures(replies: list[Reply], when: Timeline) -> PageFigures:
    before = [r for r in replies if r.ended < when.stopping]
    during = [r for r in replies if r.started > when.down and r.ended < when.starting]
    after = sorted((r for r in replies if r.started > when.up), key=lambda r: r.started)
    first_ok = next((r for r in after if r.status == 200), None)
    return PageFigures(
        before_ok=bool(before) and all(r.status == 200 for r in before),
        during=len(during),
        during_outage_page=sum(r.outage_page for r in during),
        recovery=None if first_ok is None else first_ok.ended - when.up,
        ok_after_recovery=first_ok is not None
        and all(r.status == 200 for r in after if r.started >= first_ok.ended),
    )


def run() -> Verdict:
    with throwaway_cluster() as cluster:
        url = cluster.url(DATABASE_NAME)
        cookies = _populate_in_a_process(url)
        with gunicorn(workers=2, env={"DATABASE_URL": url}) as server:
            stop = threading.Event()
            replies: list[Reply] = []
            loader = threading.Thread(
                target=lambda: replies.extend(_load(server, cookies, stop)), daemon=True
            )
            loader.start()
            time.sleep(BEFORE_SECONDS)
            stopping = time.monotonic()
            cluster.stop("fast")
            down = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            starting = time.monotonic()
            cluster.start()
            up = time.monotonic()
            time.sleep(AFTER_SECONDS)
            stop.set()
            loader.join(timeout=CLIENT_TIMEOUT + 10)
            workers = len(server.pids_seen())
    when = Timeline(stopping=stopping, down=down, starting=starting, up=up)
    figures_by_page = {
        page.name: _page_figures([r for r in replies if r.page == page.name], when)
        for page in PAGES
    }
    errors = sorted(
        {r.status for r in replies if r.status not in (0, 200, 503)}
    )  # 500 and anything else unexpected
    server_errors = sum(r.status == 500 for r in replies)
    tracebacks = sum(r.traceback for r in replies)
    no_answer = [r for r in replies if r.status == 0]
    # A 503 that is not ours (a bare gunicorn or proxy page) counts as a failure too.
    foreign_503 = sum(r.status == 503 and not r.outage_page for r in replies)
    passed = (
        not errors
        and not tracebacks
        and not no_answer
        and not foreign_503
        and workers == 2
        and all(
            f.before_ok
            and f.during > 0
            and f.during_outage_page == f.during
            and f.recovery is not None
            and f.recovery <= RECOVERY_LIMIT
            and f.ok_after_recovery
            for f in figures_by_page.values()
        )
    )
    parts = [
        f"{len(replies)} requests from {CLIENTS_PER_PAGE * len(PAGES)} clients, "
        f"{workers} workers, database down {starting - down:.1f} s",
        f"500s {server_errors}, tracebacks {tracebacks}, no answer {len(no_answer)}",
    ]
    for name, f in figures_by_page.items():
        recovery = "never" if f.recovery is None else f"{f.recovery:.2f} s"
        parts.append(
            f"{name}: down {f.during_outage_page}/{f.during} got the 503 page, "
            f"back to 200 in {recovery}"
            + ("" if f.before_ok else ", NOT 200 before")
            + ("" if f.ok_after_recovery else ", NOT 200 after recovery")
        )
    if errors:
        parts.append(f"unexpected statuses {errors}")
    if foreign_503:
        parts.append(f"{foreign_503} 503s without our page")
    if no_answer:
        parts.append(f"first unanswered: {no_answer[0].page} {no_answer[0].error}")
    return Verdict("database outage", passed, "; ".join(parts))


if __name__ == "__main__":
    if sys.argv[1:] != ["populate"]:
        raise SystemExit("usage: python -m drills.dboutage populate  (DATABASE_URL: throwaway)")
    print(json.dumps(populate()))
