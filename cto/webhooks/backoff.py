"""When a failed delivery is tried again, and when it is given up. Pure."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base_seconds: float  # the wait after the first failure, doubled after each one
    max_seconds: float  # the longest wait between two attempts
    window_seconds: float  # how long after the first attempt a delivery is still tried

    def delay(self, failures: int) -> datetime.timedelta:
        """The wait after the ``failures``-th failed attempt (1 for the first)."""
        exponent = min(max(failures - 1, 0), 60)  # 2**60 seconds is past any cap
        return datetime.timedelta(seconds=min(self.base_seconds * 2**exponent, self.max_seconds))

    def next_attempt(
        self,
        *,
        first_attempt_at: datetime.datetime,
        failed_at: datetime.datetime,
        failures: int,
    ) -> datetime.datetime | None:
        """When to try again after the ``failures``-th failure at ``failed_at``, or None to
        give up: only once the window has passed, so a delivery is tried for at least the
        whole window and the last attempt is made at its end or after it."""
        if failed_at - first_attempt_at >= datetime.timedelta(seconds=self.window_seconds):
            return None
        return failed_at + self.delay(failures)

    def schedule(self, *, failures: int) -> list[float]:
        """The waits after each of the first ``failures`` failures, in seconds (for the docs
        and the tests)."""
        return [self.delay(n).total_seconds() for n in range(1, failures + 1)]
