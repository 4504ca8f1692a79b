"""Rate limits, through 2 gunicorn workers sharing one Redis.

The intake: 100 submissions from one address, each with another spoofed X-Forwarded-For.
Exactly INTAKE_SUBMIT_RATE are accepted and the rest get 429, although both workers answered:
the count lives in the shared cache, not in each process, and a forged header is not a new
address.

Sign-in behind the proxy docs/deployment.md prescribes: every request connects from the
proxy's address and carries X-Forwarded-For as the proxy writes it (whatever the client sent,
then the client's address). With RATELIMIT_IP_META_KEY naming that header, one address's 10
failed sign-ins and 20 code requests lock that address only, while another address signs in
and gets its code. The same run against a server without the setting must see the lock-out
spread to the other address: the proof that the first half passed because of the setting.
"""

from __future__ import annotations

import http.client
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.urls import reverse
from django_ratelimit.core import _get_window, _split_rate

from cto.engagements.models import Engagement
from cto.intake import prospect
from drills import scene
from drills.server import Server, gunicorn
from drills.verdict import Verdict

SUBMISSIONS = 100
AT_ONCE = 10
CLIENT_ADDRESS = "127.0.0.1"  # what REMOTE_ADDR is for every request of the drill

# The simulated proxy appends the connecting address to X-Forwarded-For, as nginx's
# $proxy_add_x_forwarded_for does; the app reads the last entry.
BEHIND_THE_PROXY = "HTTP_X_FORWARDED_FOR"
ATTACKER, VISITOR = "203.0.113.66", "198.51.100.23"
FAILED_SIGN_INS = 10  # allauth's login_failed: 10 a minute per address
CODE_REQUESTS = 20  # allauth's request_login_code: 20 a minute per address
PASSWORD = "a-drill-password-" + secrets.token_hex(8)  # a throwaway account's
LOCKED = "Too many failed login attempts"


def _cookie_for(token: str) -> str:
    """A visitor's cookie holding their intake response, as the start page would leave it."""
    return f"{prospect.COOKIE}={prospect.signed(token)}"


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    text: str

    @property
    def locked(self) -> bool:
        return self.status == 200 and LOCKED in self.text


def _post(server: Server, path: str, fields: dict[str, str], headers: dict[str, str]) -> Answer:
    csrf = secrets.token_hex(16)  # an unmasked secret of 32 characters is a valid token
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **headers,
                "Cookie": "; ".join(
                    filter(None, [headers.get("Cookie"), f"{settings.CSRF_COOKIE_NAME}={csrf}"])
                ),
                "X-CSRFToken": csrf,
            },
        )
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        return Answer(response.status, response.getheader("Location") or "", text)
    finally:
        conn.close()


def _submit(server: Server, cookie: str, number: int) -> int:
    fields = {
        "name": f"Prospect {number}",
        "email": f"prospect{number}@flood.example",
        "company": f"Flood {number}",
        "role": "CEO",
        "consent": "yes",
    }
    headers = {"Cookie": cookie, "X-Forwarded-For": f"203.0.113.{number % 250 + 1}"}
    return _post(server, "/intake/result/", fields, headers).status


def _start_of_a_fresh_window(limit_period: int) -> None:
    """Wait, if need be, so that the limit's window does not roll over during the drill."""
    ends = _get_window(CLIENT_ADDRESS, limit_period)
    if ends - time.time() < 90:
        time.sleep(max(0.0, ends - time.time() + 1))


def _forget_counts() -> None:
    """Earlier runs' counts, django-ratelimit's and allauth's: this Redis database is the
    drills' own."""
    cache = redis.Redis.from_url(settings.REDIS_URL)
    for key in cache.scan_iter("*rl:*"):
        cache.delete(key)


def _intake_flood() -> tuple[bool, str]:
    rate = settings.INTAKE_SUBMIT_RATE
    limit, period = _split_rate(rate)
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
    return passed, figures


@dataclass(frozen=True)
class SignIns:
    """What one address's attack did to itself and to another address, on one server."""

    failures_answered: int  # of FAILED_SIGN_INS, refused as a wrong password (not yet locked)
    attacker_locked: bool  # the attacker's next sign-in, with the right password, refused
    visitor_signed_in: bool
    codes_sent: int  # of CODE_REQUESTS by the attacker, accepted
    attacker_codes_locked: bool  # the attacker's next code request refused
    visitor_got_code: bool
    workers: int
    seconds: float


def _through_proxy(server: Server, path: str, fields: dict[str, str], address: str) -> Answer:
    """A request as the proxy passes it on: from the proxy's connection, with X-Forwarded-For
    holding what the client forged (a new address each time) and then the client's own."""
    forged = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"
    return _post(server, path, fields, {"X-Forwarded-For": f"{forged}, {address}"})


def _attack(meta_key: str) -> SignIns:
    """On a server reading the client's address from ``meta_key``: the attacker fails to sign
    in FAILED_SIGN_INS times (each time another account: the per-account limit is 5) and asks
    for CODE_REQUESTS codes (each for another address: 3 per account), then tries once more;
    the visitor then signs in with their password and asks for a code."""
    _forget_counts()
    victim, visitor = scene.client_with_password(PASSWORD), scene.client_with_password(PASSWORD)
    login, code = reverse("account_login"), reverse("account_request_login_code")
    portal = reverse("engagements:portal_home")
    with gunicorn(workers=2, env={"RATELIMIT_IP_META_KEY": meta_key}) as server:
        started = time.monotonic()

        def fail(number: int) -> Answer:
            fields = {"login": f"guess{number}@client.example", "password": "not-it"}
            return _through_proxy(server, login, fields, ATTACKER)

        def ask(number: int) -> Answer:
            return _through_proxy(server, code, {"email": f"c{number}@client.example"}, ATTACKER)

        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = list(pool.map(fail, range(FAILED_SIGN_INS)))
            codes = list(pool.map(ask, range(CODE_REQUESTS)))
        right = {"login": victim.email, "password": PASSWORD}
        attacker_again = _through_proxy(server, login, right, ATTACKER)
        codes_again = _through_proxy(server, code, {"email": victim.email}, ATTACKER)
        visitor_in = _through_proxy(
            server, login, {"login": visitor.email, "password": PASSWORD}, VISITOR
        )
        visitor_code = _through_proxy(server, code, {"email": visitor.email}, VISITOR)
        seconds = time.monotonic() - started
        workers = len(server.pids_seen())
    return SignIns(
        failures_answered=sum(a.status == 200 and not a.locked for a in failures),
        attacker_locked=attacker_again.locked,
        visitor_signed_in=visitor_in.status == 302 and visitor_in.location == portal,
        codes_sent=sum(a.status == 302 for a in codes),
        attacker_codes_locked=codes_again.locked,
        visitor_got_code=visitor_code.status == 302,
        workers=workers,
        seconds=seconds,
    )


def _sign_in_behind_the_proxy() -> tuple[bool, str]:
    kept = _attack(BEHIND_THE_PROXY)
    spread = _attack("REMOTE_ADDR")  # the setting removed: every request is the proxy's
    passed = (
        kept.failures_answered == FAILED_SIGN_INS
        and kept.codes_sent == CODE_REQUESTS
        and kept.attacker_locked
        and kept.attacker_codes_locked
        and kept.visitor_signed_in
        and kept.visitor_got_code
        and kept.workers == 2
        # Without the setting the same attack must lock the visitor out too; a drill that
        # passed here as well would prove nothing about the setting.
        and spread.attacker_locked
        and not spread.visitor_signed_in
        and not spread.visitor_got_code
        and spread.workers == 2
    )

    def said(outcome: SignIns) -> str:
        return (
            f"{outcome.failures_answered}/{FAILED_SIGN_INS} failed sign-ins and "
            f"{outcome.codes_sent}/{CODE_REQUESTS} code requests from {ATTACKER} → attacker "
            f"{'locked' if outcome.attacker_locked else 'NOT locked'} "
            f"(codes {'locked' if outcome.attacker_codes_locked else 'NOT locked'}), "
            f"{VISITOR} {'signed in' if outcome.visitor_signed_in else 'locked out'} and "
            f"{'got' if outcome.visitor_got_code else 'refused'} a code, "
            f"{outcome.workers} workers, {outcome.seconds:.1f} s"
        )

    figures = (
        f"behind a proxy with RATELIMIT_IP_META_KEY={BEHIND_THE_PROXY}: {said(kept)}; "
        f"without it (REMOTE_ADDR): {said(spread)}"
    )
    return passed, figures


def run() -> Verdict:
    _forget_counts()
    intake_passed, intake_figures = _intake_flood()
    sign_in_passed, sign_in_figures = _sign_in_behind_the_proxy()
    return Verdict(
        "rate limits",
        intake_passed and sign_in_passed,
        f"{intake_figures}; sign-in: {sign_in_figures}",
    )
