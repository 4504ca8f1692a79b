"""Rate limits: 100 intake submissions from one address through 2 gunicorn workers, each
with another spoofed X-Forwarded-For. Exactly INTAKE_SUBMIT_RATE of them are accepted and
the rest get 429, although both workers answered: the count lives in the shared cache
(Redis), not in each process, and a forged header does not make a new address."""

from __future__ import annotations

import http.client
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import redis
from django.conf import settings
from django_ratelimit.core import _get_window, _split_rate

from cto.engagements.models import Engagement
from cto.intake import prospect
from drills import scene
from drills.server import Server, gunicorn
from drills.verdict import Verdict

SUBMISSIONS = 100
AT_ONCE = 10
CLIENT_ADDRESS = "127.0.0.1"  # what REMOTE_ADDR is for every request of the drill


def _cookie_for(token: str) -> str:
    """A visitor's cookie holding their intake response, as the start page would leave it."""
    return f"{prospect.COOKIE}={prospect.signed(token)}"


def _submit(server: Server, cookie: str, number: int) -> int:
    csrf = secrets.token_hex(16)  # an unmasked secret of 32 characters is a valid token
    body = urlencode(
        {
            "name": f"Prospect {number}",
            "email": f"prospect{number}@flood.example",
            "company": f"Flood {number}",
            "role": "CEO",
            "consent": "yes",
        }
    )
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/intake/result/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
                "X-CSRFToken": csrf,
                "X-Forwarded-For": f"203.0.113.{number % 250 + 1}",
            },
        )
        return conn.getresponse().status
    finally:
        conn.close()


def _start_of_a_fresh_window(limit_period: int) -> None:
    """Wait, if need be, so that the limit's window does not roll over during the drill."""
    ends = _get_window(CLIENT_ADDRESS, limit_period)
    if ends - time.time() < 90:
        time.sleep(max(0.0, ends - time.time() + 1))


def run() -> Verdict:
    rate = settings.INTAKE_SUBMIT_RATE
    limit, period = _split_rate(rate)
    cache = redis.Redis.from_url(settings.REDIS_URL)
    for key in cache.scan_iter("*rl:*"):
        cache.delete(key)  # earlier runs' counts; this Redis database is the drills' own
    cookies = [_cookie_for(scene.finished_response().token) for _ in range(SUBMISSIONS)]
    before = Engagement.objects.count()
    _start_of_a_fresh_window(period)
    with gunicorn(workers=2) as server:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            statuses = list(pool.map(lambda n: _submit(server, cookies[n], n), range(SUBMISSIONS)))
        elapsed = time.monotonic() - started
        workers = len(server.pids_seen())
    accepted = statuses.count(303)
    limited = statuses.count(429)
    other = sorted({s for s in statuses if s not in (303, 429)})
    made = Engagement.objects.count() - before
    passed = (
        accepted == limit
        and made == limit
        and limited == SUBMISSIONS - limit
        and not other
        and workers == 2
        and elapsed < 60
    )
    figures = (
        f"{SUBMISSIONS} submissions in {elapsed:.1f} s, {SUBMISSIONS} spoofed X-Forwarded-For, "
        f"{workers} workers answering → {accepted} accepted ({rate} configured), "
        f"{limited} refused with 429, {made} engagements"
    )
    if other:
        figures += f", other statuses {other}"
    return Verdict("rate limits", passed, figures)
