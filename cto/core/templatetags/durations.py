"""``{{ value|duration }}``: a timedelta as cto/core/durations.py says it."""

from __future__ import annotations

import datetime

from django import template

from cto.core.durations import duration_text

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """Nothing for a missing duration, so a ``|default:`` after it can say there is none yet."""
    return "" if value is None else duration_text(value)
