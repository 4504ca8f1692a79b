"""Broker outage: Redis, the app's cache and Celery's broker, stops for 30 s while prospects
submit intakes and an operator asks for reports, then comes back empty (a restarted Redis
without persistence has lost its queues).

Passes when no request got a 500 (or no answer at all), every accepted request has its rows
(an engagement and its intake summary per lead, a report per operator request), a page that
had to wait said kindly that we are catching up, and after Redis returns the sweeper brings
every report to `ready` and tells each operator who asked. It would fail without the
after-commit publishing that gives up quietly (cto/core/queue.py: 500s), the cache that reads
an unreachable Redis as empty (cto/core/cache.py: 500s and 429s), or the sweeper (reports
left `queued` for ever)."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import QuerySet
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.intake import services as intake_services
from cto.intake.models import IntakeResponse, TreeVersion
from cto.reports.models import Report
from cto.users.models import User
from drills import scene
from drills.server import Server, _free_port, gunicorn
from drills.verdict import Verdict
from tests.celery_worker import READY_TIMEOUT_S, worker_start

OUTAGE_SECONDS = 30
BEFORE_SECONDS = 8  # traffic with Redis up, so the drill starts from a working app
AFTER_SECONDS = 6  # traffic once it is back
PACE_SECONDS = 1.5  # between one stream's units of work: a busy morning, not a flood
RECOVERY_TIMEOUT = 150
# The worker's settings for the drill: a short deadline and a sweep every few seconds, so the
# sweeper's work shows within the drill rather than in ten minutes.
LOGS = Path(settings.BASE_DIR) / "var" / "drills"
STUCK_AFTER_SECONDS = 15
SWEEP_SECONDS = 5
CATCHING_UP = "catching up"
# The path through the shipped tree that the public form walks (the AI outcome).
ANSWERS = [
    ("building", {"text": "Claims agent"}),
    ("ai_role", {"choice": "core"}),
    ("ai_actions", {"choice": "decide"}),
    ("agents", {"choice": "yes"}),
    ("retrieval", {"choice": "no"}),
    ("pains", {"choice": "costs"}),
]


# --- Redis and the worker, the drill's own ---------------------------------------------------


class Redis:
    """A redis-server on a free loopback port, without persistence: stopped, it loses all."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: the drill runs its own Redis")
        self.process = subprocess.Popen(  # noqa: S603  # a fixed command line
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


@dataclass
class Supervisor:
    """What systemd's Restart=always does for a production worker: start it again when it
    exits. It is needed: kombu's Redis transport can crash the worker's main process when the
    connection drops while a message is unacknowledged (restoring it needs the connection just
    lost: "Unrecoverable error: AttributeError ... 'hostname'")."""

    restarts: int = 0


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log: Path) -> Iterator[Supervisor]:
    """A worker of both queues with beat inside it (the sweepers), restarted whenever it
    exits, until the drill ends."""
    supervisor = Supervisor()
    stop = threading.Event()
    started = threading.Event()

    def run() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            with worker_start(
                log=log.with_name(f"{log.stem}-{number}{log.suffix}"),
                env={**os.environ, **env},
                options=[
                    "--beat",
                    "--queues=celery,reports",
                    "--concurrency=2",
                    f"--schedule={log.parent / 'celerybeat-schedule'}",
                ],
                name="drill-broker",
            ) as worker:
                started.set()
                while not stop.is_set() and worker.process.poll() is None:
                    stop.wait(0.2)
            if not stop.is_set():
                supervisor.restarts += 1
                stop.wait(1)  # as a supervisor's restart delay

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not started.wait(READY_TIMEOUT_S + 10):
        stop.set()
        raise RuntimeError("the drill's worker did not start")
    try:
        yield supervisor
    finally:
        stop.set()
        thread.join(timeout=60)


# --- Traffic --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the traffic saw; appended to from two threads (list.append is atomic)."""

    statuses: list[int] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)  # emails of the submissions accepted
    leads_tried: int = 0
    requests_accepted: int = 0
    requests_tried: int = 0
    waits_said: int = 0  # pages, during the outage, that said we are catching up
    outage: threading.Event = field(default_factory=threading.Event)
    errors: list[str] = field(default_factory=list)


class Browser:
    """One visitor's cookies and CSRF token, over plain HTTP to the drill's server."""

    def __init__(self, server: Server, cookies: dict[str, str] | None = None) -> None:
        self.server = server
        self.csrf = secrets.token_hex(16)  # an unmasked secret of 32 characters is valid
        self.cookies = {settings.CSRF_COOKIE_NAME: self.csrf, **(cookies or {})}

    def call(
        self, tally: Tally, method: str, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.csrf,
            }
        try:
            conn.request(method, path, body=body, headers=headers)
            reply = conn.getresponse()
            text = reply.read().decode(errors="replace")
            for name, value in reply.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            status, location = reply.status, reply.getheader("Location", "")
        except OSError as error:  # no answer at all counts against the drill like a 500
            tally.errors.append(f"{method} {path}: {error!r}")
            status, text, location = 0, "", ""
        finally:
            conn.close()
        tally.statuses.append(status)
        return status, text, location


def _one_intake(server: Server, tally: Tally, version_id: int, number: int) -> None:
    """A prospect's whole public journey: start, six answers, contact details, thanks."""
    browser = Browser(server)
    tally.leads_tried += 1
    status, _, _ = browser.call(tally, "POST", reverse("intake:start"), {})
    if status != 302:
        return
    for node, answer in ANSWERS:
        status, _, _ = browser.call(
            tally,
            "POST",
            reverse("intake:question", args=[node]),
            {"tree_version": str(version_id), **answer},
        )
        if status != 303:
            return
    email = f"lead{number}@outage.example"
    status, _, location = browser.call(
        tally,
        "POST",
        reverse("intake:result"),
        {
            "name": f"Lead {number}",
            "email": email,
            "company": f"Outage {number}",
            "role": "CEO",
            "consent": "yes",
        },
    )
    if status == 303 and location.endswith(reverse("intake:thanks")):
        tally.leads.append(email)
        _, page, _ = browser.call(tally, "GET", reverse("intake:thanks"))
        if tally.outage.is_set() and CATCHING_UP in page:
            tally.waits_said += 1


def _one_report(browser: Browser, tally: Tally, engagement: Engagement) -> None:
    """An operator asks for a new version, then looks at the reports card."""
    tally.requests_tried += 1
    status, _, _ = browser.call(
        tally, "POST", reverse("reports:generate", args=[engagement.pk]), {"kind": "intake_summary"}
    )
    if status == 303:
        tally.requests_accepted += 1
    _, card, _ = browser.call(tally, "GET", reverse("reports:card", args=[engagement.pk]))
    if tally.outage.is_set() and CATCHING_UP in card:
        tally.waits_said += 1


def _stream(stop: threading.Event, work: Callable[[int], None]) -> threading.Thread:
    def loop() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            work(number)
            stop.wait(PACE_SECONDS)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


# --- The scene and the count ----------------------------------------------------------------


def _operator_cookies(operator: User) -> dict[str, str]:
    """A signed-in operator's session, saved to the database (which the server reads when its
    cache does not have it)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(operator.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = operator.get_session_auth_hash()
    store.save()
    return {settings.SESSION_COOKIE_NAME: str(store.session_key)}


def _lead_for_the_operator() -> Engagement:
    response = scene.finished_response()
    contact = intake_services.Contact(
        name="Dana Shore",
        email="dana@outage.example",
        company="Shore Ltd",
        role="CTO",
        consent=True,
    )
    return intake_services.intake_submit(response=response, contact=contact)


def _rows_missing(tally: Tally, operator: User, requested_before: int) -> list[str]:
    missing = []
    for email in tally.leads:
        response = IntakeResponse.objects.filter(
            contact_email=email, status=IntakeResponse.Status.SUBMITTED
        ).first()
        if response is None or response.engagement_id is None:
            missing.append(f"no lead for {email}")
        elif not Report.objects.filter(
            engagement_id=response.engagement_id, kind=Report.Kind.INTAKE_SUMMARY
        ).exists():
            missing.append(f"no summary for {email}")
    made = Report.objects.filter(requested_by=operator).count() - requested_before
    if made != tally.requests_accepted:
        missing.append(f"{tally.requests_accepted} report requests accepted, {made} rows")
    return missing


def _leads_unmailed() -> QuerySet[IntakeResponse]:
    return IntakeResponse.objects.filter(status=IntakeResponse.Status.SUBMITTED, notified_at=None)


def _wait_until_every_report_is_done(operator: User) -> bool:
    """True once every report is ready, every operator who asked was told and every lead
    emailed, in time."""
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while time.monotonic() < deadline:
        pending = Report.objects.exclude(status=Report.Status.READY).exists()
        untold = Report.objects.filter(requested_by=operator, notified_at=None).exists()
        unmailed = _leads_unmailed().exists()
        if not pending and not untold and not unmailed:
            return True
        time.sleep(1)
    return False


def run() -> Verdict:
    version_id = (
        TreeVersion.objects.filter(tree__slug=scene.TREE_SLUG, status=TreeVersion.Status.PUBLISHED)
        .values_list("pk", flat=True)
        .get()
    )
    operator = scene.operator()
    engagement = _lead_for_the_operator()
    requested_before = Report.objects.filter(requested_by=operator).count()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="cto-drills-broker-") as tmp:
        redis_server = Redis(Path(tmp))
        redis_server.start()
        env = {
            "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_server.port}/1",
            "CELERY_KEY_PREFIX": "",
            "PRIVATE_ROOT": str(Path(tmp) / "private"),
            # Every visitor comes from 127.0.0.1: the limits would stop the drill, not test it.
            "INTAKE_START_RATE": "10000/h",
            "INTAKE_SUBMIT_RATE": "10000/h",
            "EMAIL_URL": "dummymail://",
            "REPORT_STUCK_AFTER_SECONDS": str(STUCK_AFTER_SECONDS),
            "REPORT_SWEEP_SECONDS": str(SWEEP_SECONDS),
            # The lost lead emails are swept on the same short clock.
            "NOTIFICATION_LATE_AFTER_SECONDS": str(STUCK_AFTER_SECONDS),
            "NOTIFICATION_SWEEP_SECONDS": str(SWEEP_SECONDS),
        }
        worker_env = env | {"DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "VAR_DIR": tmp}
        try:
            with (
                celery_worker(worker_env, Path(tmp) / "worker.log") as supervisor,
                gunicorn(workers=2, env=env) as server,
            ):
                staff = Browser(server, _operator_cookies(operator))
                stop = threading.Event()
                streams = [
                    _stream(stop, lambda n: _one_intake(server, tally, version_id, n)),
                    _stream(stop, lambda n: _one_report(staff, tally, engagement)),
                ]
                time.sleep(BEFORE_SECONDS)
                redis_server.stop()
                tally.outage.set()
                time.sleep(OUTAGE_SECONDS)
                redis_server.start()  # empty: the queued messages are gone
                back = time.monotonic()
                time.sleep(AFTER_SECONDS)
                tally.outage.clear()
                stop.set()
                for stream in streams:
                    stream.join(timeout=60)
                recovered = _wait_until_every_report_is_done(operator)
                recovery = time.monotonic() - back
        finally:
            redis_server.stop()
            # The worker's log outlives the run, for a failure to be read (var/ is ignored).
            LOGS.mkdir(parents=True, exist_ok=True)
            for log in Path(tmp).glob("worker-*.log"):
                shutil.copy(log, LOGS / f"broker-{log.name}")
    codes = Counter(tally.statuses)
    failures = sum(n for code, n in codes.items() if code >= 500 or code == 0)
    missing = _rows_missing(tally, operator, requested_before)
    reports = Report.objects.count()
    ready = Report.objects.filter(status=Report.Status.READY).count()
    told = Report.objects.filter(requested_by=operator).exclude(notified_at=None).count()
    asked = Report.objects.filter(requested_by=operator).count()
    leads = IntakeResponse.objects.filter(status=IntakeResponse.Status.SUBMITTED).count()
    unmailed = _leads_unmailed().count()
    passed = (
        failures == 0
        and not missing
        and recovered
        and ready == reports
        and unmailed == 0
        and tally.waits_said > 0
        and len(tally.leads) > 0
        and tally.requests_accepted > 0
    )
    figures = (
        f"Redis down {OUTAGE_SECONDS} s amid {len(tally.statuses)} requests "
        f"({', '.join(f'{code}: {n}' for code, n in sorted(codes.items()))}): "
        f"{len(tally.leads)}/{tally.leads_tried} intakes and "
        f"{tally.requests_accepted}/{tally.requests_tried} report requests accepted, "
        f"{'all' if not missing else 'NOT all'} with their rows; "
        f"{tally.waits_said} pages said we are catching up; "
        f"{ready}/{reports} reports ready, {told}/{asked} requesters told and "
        f"{leads - unmailed}/{leads} leads emailed {recovery:.0f} s after Redis returned "
        f"(the worker restarted by its supervisor {supervisor.restarts} times)"
    )
    if missing:
        figures += f"; missing: {missing[:3]}"
    if tally.errors:
        figures += f"; no answer: {tally.errors[:2]}"
    return Verdict("broker outage", passed, figures)
