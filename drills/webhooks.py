"""Webhooks through a real worker (with its beat: the retries are the sweep's) to a real
receiver that is down for a stretch, then slow (it answers after the sender's timeout), then up.

Events are recorded on three engagements before and during the outage and the slow stretch.
Passes when every event is delivered (a 200 answered for it), no event reached the receiver
under two webhook-ids, each engagement's events were first accepted in the order they were
recorded, the library's verifier accepted every request as it arrived, and it refuses a
tampered body and a timestamp ten minutes old. Backoff is shortened for the drill only (by the
worker's environment); everything else is as in production."""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cto.engagements.models import Engagement
from cto.engagements.services import engagement_create, engagement_transition
from cto.users.models import User
from cto.webhooks import services
from cto.webhooks.models import Delivery, DeliveryAttempt
from drills import scene
from drills.server import _free_port
from drills.verdict import Verdict
from tests.celery_worker import worker_start

DOWN_S = 6.0
SLOW_S = 6.0
SLOW_ANSWER_S = 2.0  # longer than the timeout below: the sender gives up, the receiver saw it
WAIT_S = 45.0
SETTINGS = {
    "WEBHOOK_ALLOW_HTTP": "true",
    "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
    "WEBHOOK_TIMEOUT_SECONDS": "1",
    "WEBHOOK_RETRY_BASE_SECONDS": "0.5",
    "WEBHOOK_RETRY_MAX_SECONDS": "2",
    "WEBHOOK_SWEEP_SECONDS": "1",
}
PATH = ["qualified", "audit", "proposal", "active"]


@dataclass
class Receiver:
    """What the receiver saw: every request, whether its signature verified on arrival, and
    the first acceptance of each event (a 200 answered, in order)."""

    secret: str
    slow: bool = True
    requests: int = 0
    verified: int = 0
    refused: list[str] = field(default_factory=list)
    ids_by_event: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    accepted: list[tuple[int, int]] = field(default_factory=list)  # (engagement, event)
    sample: tuple[bytes, dict[str, str]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, body: bytes, headers: dict[str, str]) -> None:
        try:
            document = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as error:
            with self.lock:
                self.requests += 1
                self.refused.append(str(error))
            return
        event = document["data"]["id"]
        engagement = document["data"]["engagement"]["id"]
        with self.lock:
            self.requests += 1
            self.verified += 1
            self.ids_by_event[event].add(headers.get("webhook-id", ""))
            self.sample = (body, headers)
        if self.slow:
            time.sleep(SLOW_ANSWER_S)
        with self.lock:
            if (engagement, event) not in self.accepted:
                self.accepted.append((engagement, event))


@contextlib.contextmanager
def _serving(port: int, state: Receiver) -> Iterator[None]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server names it so
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.receive(body, dict(self.headers.items()))
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender may have given up already
                self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _advance(engagements: list[Engagement], step: int, operator: User) -> list[Engagement]:
    return [
        engagement_transition(engagement=engagement, to=PATH[step], by=operator)
        for engagement in engagements
    ]


def _in_order(accepted: list[tuple[int, int]]) -> bool:
    by_engagement: dict[int, list[int]] = defaultdict(list)
    for engagement, event in accepted:
        by_engagement[engagement].append(event)
    return all(events == sorted(events) for events in by_engagement.values())


def _rejections(state: Receiver) -> tuple[bool, bool]:
    """Whether the verifier refuses a tampered body, and a timestamp ten minutes old."""
    if state.sample is None:
        return False, False
    body, headers = state.sample
    verifier = Webhook(state.secret)
    tampered = body.replace(b'"data":{', b'"data":{"x":1,', 1)
    try:
        verifier.verify(tampered, headers)
        tamper_refused = False
    except WebhookVerificationError:
        tamper_refused = True
    old_at = timezone.now() - datetime.timedelta(minutes=10)
    old = {
        **headers,
        "webhook-timestamp": str(int(old_at.timestamp())),
        "webhook-signature": verifier.sign(headers["webhook-id"], old_at, body),
    }
    try:
        verifier.verify(body, old)
        old_refused = False
    except WebhookVerificationError as error:
        old_refused = "too old" in str(error)
    return tamper_refused, old_refused


def run() -> Verdict:
    port = _free_port()
    operator = scene.operator()
    with override_settings(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        created = services.endpoint_create(
            organization=None,
            url=f"http://127.0.0.1:{port}/hook",
            description="drill",
            types=[value for value, _ in services.event_types()],
            by=operator,
        )
    endpoint = created.endpoint
    state = Receiver(secret=created.secret)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as folder,
        worker_start(
            log=Path(folder) / "worker.log",
            env={**os.environ, **SETTINGS},
            options=["--concurrency=2", "--queues=celery", "-B", f"--schedule={folder}/beat"],
            name="drill-webhooks",
        ),
    ):
        # Down: nothing listens on the port. Events on three engagements.
        organization = scene.organization()
        engagements = [
            engagement_create(organization=organization, title=f"Hooks {n}", by=operator)
            for n in range(3)
        ]
        engagements = _advance(engagements, 0, operator)
        time.sleep(DOWN_S / 2)
        engagements = _advance(engagements, 1, operator)
        time.sleep(DOWN_S / 2)
        # Slow: every answer comes after the sender's timeout.
        with _serving(port, state):
            engagements = _advance(engagements, 2, operator)
            time.sleep(SLOW_S)
            state.slow = False  # up
            engagements = _advance(engagements, 3, operator)
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline:
                if not endpoint.deliveries.exclude(status=Delivery.Status.DELIVERED).exists():
                    break
                time.sleep(0.5)
            time.sleep(1)  # a late duplicate would arrive now
        elapsed = time.monotonic() - started
    deliveries = list(endpoint.deliveries.all())
    events = {d.event_id for d in deliveries}
    expected = {
        pk for engagement in engagements for pk in engagement.events.values_list("pk", flat=True)
    }
    delivered = sum(d.status == Delivery.Status.DELIVERED for d in deliveries)
    attempts = DeliveryAttempt.objects.filter(delivery__endpoint=endpoint)
    failed_attempts = attempts.filter(succeeded=False).count()
    two_ids = sorted(e for e, ids in state.ids_by_event.items() if len(ids) > 1)
    accepted_events = {event for _, event in state.accepted}
    in_order = _in_order(state.accepted)
    tamper_refused, old_refused = _rejections(state)
    passed = (
        events == expected
        and delivered == len(expected)
        and accepted_events == expected
        and not two_ids
        and in_order
        and state.verified == state.requests
        and not state.refused
        and failed_attempts > 0  # the outage and the slow stretch were felt
        and tamper_refused
        and old_refused
        and elapsed < 90
    )
    figures = (
        f"{len(expected)} events on {len(engagements)} engagements, receiver down {DOWN_S:g} s "
        f"then slow ({SLOW_ANSWER_S:g} s answers, 1 s timeout) for {SLOW_S:g} s, then up → "
        f"{delivered}/{len(expected)} delivered in {elapsed:.1f} s, {attempts.count()} attempts "
        f"({failed_attempts} failed), {state.requests} requests received, "
        f"{state.verified} verified by standardwebhooks, "
        f"{sum(len(ids) for ids in state.ids_by_event.values()) - len(state.ids_by_event)} "
        f"events under a second id, order per engagement {'kept' if in_order else 'BROKEN'}, "
        f"tampered body {'refused' if tamper_refused else 'ACCEPTED'}, "
        f"10-minute-old timestamp {'refused' if old_refused else 'ACCEPTED'}"
    )
    return Verdict("webhooks", passed, figures)
