"""A fixed day for the tests of what waits since when, and moments around it."""

from __future__ import annotations

import datetime

from django.utils import timezone

TODAY = datetime.date(2026, 3, 11)  # a Wednesday


def moment(
    day: datetime.date, hour: int = 12, minute: int = 0, second: int = 0
) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)
