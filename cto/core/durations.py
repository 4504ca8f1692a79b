"""Lengths of time as a person says them: ``16 s``, ``5 min 2 s``, ``3 days 4 h``. A pure
module; ``{{ value|duration }}`` writes it on the pages."""

from __future__ import annotations

import datetime

# Largest first; the plural only where English has one for the unit's short name.
_UNITS = (("day", "days", 86400), ("h", "h", 3600), ("min", "min", 60), ("s", "s", 1))


def duration_text(value: datetime.timedelta) -> str:
    """The two largest units that are not zero, the rest dropped (not rounded: a median of
    16.9 seconds is "16 s", as a stopwatch would show it). Under a second is "under 1 s"."""
    seconds = int(abs(value.total_seconds()))
    if seconds == 0:
        return "under 1 s"
    parts = []
    for singular, plural, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {singular if count == 1 else plural}")
        elif parts:
            break  # "3 days 4 min" would read as a mistake: a gap ends the phrase
        if len(parts) == 2:
            break
    sign = "\u2212" if value < datetime.timedelta(0) else ""
    return sign + " ".join(parts)
