"""Redis away: the broker refuses the messages published after commit, or the cache does not
answer. The request still ends as it should (its rows saved, the page it leads to, no 500),
fast, and the work that had to wait is picked up later (the reports' sweeper).

"Away" is a real closed port on loopback, not a mock: the same refusal Redis gives when
stopped.

Cross-cutting: it runs the whole app under a fault of the broker and the cache, so it mirrors
no single module."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto import celery_app
from cto.engagements.models import Engagement
from cto.intake.models import IntakeResponse, TreeVersion
from cto.reports import services
from cto.reports.models import Report
from cto.users.models import User
from tests.intake.test_views import CONTACT, walk_to_result
from tests.intake.test_views import version as version  # the fixture, for the intake tests

# on_commit callbacks run inside the request only when the test's writes really commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _cache_at(url: str, **extra: str) -> dict[str, dict[str, object]]:
    """CACHES as production sets them (cto/settings.py), at ``url``."""
    options = {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    backend = "cto.core.cache.OutageTolerantRedisCache"
    return {"default": {"BACKEND": backend, "LOCATION": url, "OPTIONS": options, **extra}}


# Keys on the live Redis under the run's own prefix (per xdist worker too): parallel runs never
# share one, and the session's clean-up removes them.
LIVE_KEY_PREFIX = os.environ.get("CELERY_KEY_PREFIX", "") + "cto-broker-t"


def _closed_port() -> int:
    """A loopback port with nothing listening: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _use_broker(url: str) -> None:
    # Celery keeps one connection pool per app, made from the URL at first use: start anew.
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[None]:
    kept = celery_app.conf.broker_write_url
    _use_broker(f"redis://127.0.0.1:{_closed_port()}/0")
    yield
    _use_broker(kept)


@pytest.fixture
def cache_down(settings: Settings) -> None:
    settings.CACHES = _cache_at(f"redis://127.0.0.1:{_closed_port()}/0")


@pytest.fixture
def live_redis_url(settings: Settings) -> str:
    """The Redis the test run's broker uses, for the cache's happy path; skipped without one."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("no Redis in this run (CELERY_BROKER_URL is not redis://)")
    return str(settings.CELERY_BROKER_URL)


# --- The broker refuses ------------------------------------------------------------------------


def test_an_intake_submitted_while_the_broker_is_down_is_saved_and_thanked(
    client: Client, version: TreeVersion, broker_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    walk_to_result(client, version)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="cto.core.queue"):
        reply = client.post(reverse("intake:result"), CONTACT)
    elapsed = time.monotonic() - started
    assert reply.status_code == 303
    assert reply["Location"] == reverse("intake:thanks")
    response = IntakeResponse.objects.get()
    assert response.status == IntakeResponse.Status.SUBMITTED
    assert response.notified_at is None  # its emails are the work that waits
    summary = Report.objects.get(engagement=response.engagement, kind="intake_summary")
    assert summary.status == Report.Status.QUEUED
    lost = [r.getMessage() for r in caplog.records if "Broker unreachable" in r.getMessage()]
    assert any("render_report" in line and "sweeper" in line for line in lost)
    assert any("notify_intake_submitted" in line for line in lost)
    assert elapsed < 5  # gave up within the bounded retries, not kombu's default patience
    page = client.get(reverse("intake:thanks"))
    assert page.status_code == 200
    assert "catching up" in page.text


def test_a_report_requested_while_the_broker_is_down_is_queued_by_the_sweeper_later(
    client: Client, version: TreeVersion, operator: User, broker_down: None, settings: Settings
) -> None:
    walk_to_result(client, version)
    assert client.post(reverse("intake:result"), CONTACT).status_code == 303
    engagement = Engagement.objects.get()
    staff = Client()
    staff.force_login(operator)
    reply = staff.post(
        reverse("reports:generate", args=[engagement.pk]), {"kind": "intake_summary"}
    )
    assert reply.status_code == 303
    report = Report.objects.get(engagement=engagement, kind="intake_summary", number=2)
    assert report.status == Report.Status.QUEUED
    card = staff.get(reverse("reports:card", args=[engagement.pk]), headers={"HX-Request": "true"})
    assert card.status_code == 200
    assert "catching up" in card.text
    later = timezone.now() + datetime.timedelta(seconds=settings.REPORT_STUCK_AFTER_SECONDS + 1)
    # Still down at the sweep: nothing queued and nothing stamped, so the next sweep tries again.
    assert services.reports_sweep(now=later) == []
    assert Report.objects.get(pk=report.pk).updated_at == report.updated_at
    _use_broker(str(settings.CELERY_BROKER_URL))  # the broker is back
    assert report.pk in services.reports_sweep(now=later)
    assert Report.objects.get(pk=report.pk).updated_at > report.updated_at  # stamped this time


def test_publishing_to_a_refusing_broker_gives_up_within_a_second(broker_down: None) -> None:
    from cto.core.queue import publish
    from cto.reports.tasks import sweep_stuck_reports

    started = time.monotonic()
    assert publish(sweep_stuck_reports, lost="Nothing.") is False
    assert time.monotonic() - started < 1.5


# --- The cache does not answer -----------------------------------------------------------------


def test_the_intake_journey_works_with_the_cache_down(
    client: Client, version: TreeVersion, cache_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="django_redis"):
        walk_to_result(client, version)  # the start's rate limit
        reply = client.post(reverse("intake:result"), CONTACT)
    assert reply.status_code == 303  # the submit's rate limit is open without its count
    assert Engagement.objects.count() == 1
    assert client.get(reverse("intake:thanks")).status_code == 200
    assert client.get(reverse("intake_summary")).status_code == 200
    assert any("ignored" in r.getMessage() for r in caplog.records)  # each lost call is logged


def test_signing_in_works_with_the_cache_down(
    client: Client, operator: User, cache_down: None
) -> None:
    operator.set_password("a long enough password")
    operator.save()
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    reply = client.post(
        reverse("account_login"),
        {"login": operator.email, "password": "a long enough password"},
    )
    assert reply.status_code == 302
    assert client.get(reverse("engagements:portal_home")).status_code in (200, 302)


def test_the_tolerant_cache_is_an_ordinary_cache_while_redis_answers(
    settings: Settings, live_redis_url: str
) -> None:
    settings.CACHES = _cache_at(live_redis_url, KEY_PREFIX=LIVE_KEY_PREFIX)
    cache.delete("count")
    assert cache.add("count", 1, 60) is True
    assert cache.add("count", 1, 60) is False
    assert cache.incr("count") == 2
    assert cache.get("count") == 2
    cache.delete("count")
    with pytest.raises(ValueError, match="not found"):
        cache.incr("count")  # a missing key, as every backend says it


def test_the_cache_down_reads_as_empty_and_says_it_added(cache_down: None) -> None:
    started = time.monotonic()
    assert cache.get("anything", "missing") == "missing"
    cache.set("dropped", 1, 60)
    assert cache.get("dropped") is None
    assert cache.add("lock", True, 10) is True  # allauth's rate-limit lock: not refused
    assert cache.incr("count") is None  # django-ratelimit reads it as no count (fail open)
    assert time.monotonic() - started < 1  # a refused connection costs nothing to wait for


def test_the_cache_is_used_again_once_redis_is_back(
    settings: Settings, live_redis_url: str
) -> None:
    settings.CACHES = _cache_at(f"redis://127.0.0.1:{_closed_port()}/0")
    assert cache.get("back", "missing") == "missing"
    settings.CACHES = _cache_at(live_redis_url, KEY_PREFIX=LIVE_KEY_PREFIX)
    cache.set("back", "yes", 60)
    assert cache.get("back") == "yes"
    cache.delete("back")
