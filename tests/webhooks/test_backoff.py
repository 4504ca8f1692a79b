"""The retry schedule, without the database."""

from __future__ import annotations

import datetime

from cto.webhooks.backoff import Backoff

START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
DEFAULT = Backoff(base_seconds=30, max_seconds=7200, window_seconds=86400)


def test_the_wait_doubles_after_each_failure_up_to_the_cap() -> None:
    assert DEFAULT.schedule(failures=10) == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3840,
        7200,
        7200,
    ]


def test_a_huge_failure_count_stays_at_the_cap() -> None:
    assert DEFAULT.delay(10_000).total_seconds() == 7200


def test_retries_last_the_whole_window_and_then_stop() -> None:
    attempts = [START]
    failures = 0
    while True:
        failures += 1
        retry = DEFAULT.next_attempt(
            first_attempt_at=START, failed_at=attempts[-1], failures=failures
        )
        if retry is None:
            break
        attempts.append(retry)
    span = attempts[-1] - START
    # At least 24 hours of trying, and the last attempt no more than one wait after the window.
    assert datetime.timedelta(hours=24) <= span < datetime.timedelta(hours=26)
    assert 15 < len(attempts) < 25


def test_a_failure_inside_the_window_is_retried_after_the_wait() -> None:
    failed = START + datetime.timedelta(minutes=1)
    assert DEFAULT.next_attempt(
        first_attempt_at=START, failed_at=failed, failures=2
    ) == failed + datetime.timedelta(seconds=60)


def test_a_failure_at_the_end_of_the_window_is_final() -> None:
    failed = START + datetime.timedelta(hours=24)
    assert DEFAULT.next_attempt(first_attempt_at=START, failed_at=failed, failures=20) is None
