"""How dates, money and charts are written into a snapshot: once, as text, so a re-rendering
never depends on the locale, the time zone or the day it runs."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils import timezone

from cto.core.money import MINUS as MINUS  # the snapshot modules take their signs from here
from cto.core.money import money_text

TIMES = "\u00d7"  # the typographic sign, not the letter x


def day(value: datetime.date | datetime.datetime | None) -> str | None:
    """``3 March 2026``; a datetime is first put in the project's time zone."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


def moment(value: datetime.datetime | None) -> str | None:
    """``3 March 2026, 14:05 UTC``, in the project's time zone."""
    if value is None:
        return None
    local = timezone.localtime(value)
    return f"{day(local)}, {local:%H:%M} {local.tzname()}"


# The web pages' format too (the ``money`` template filter): one format everywhere.
money = money_text


def number(value: Decimal | float | None) -> str | None:
    """A decimal without trailing zeros: 0.9900 is ``0.99``, 2450.0000 is ``2450``."""
    if value is None:
        return None
    return f"{Decimal(str(value)).normalize():f}"


# The SVG charts of cto/core/charts.py are styled by the pages' CSS; a PDF's inline SVG takes
# only the <style> inside it, so each chart carries its own (and our font for its labels).
CHART_STYLE = (
    "<style>"
    'text { font-family: "Report Sans", sans-serif; fill: #1f2933; }'
    ".series-current { fill: rgba(20, 61, 110, 0.16); stroke: #143d6e; stroke-width: 2; }"
    ".series-previous { fill: rgba(110, 119, 129, 0.14); stroke: #6e7781; stroke-width: 1.5;"
    " stroke-dasharray: 4 3; }"
    "</style>"
)
_SVG_OPEN = re.compile(r"^<svg\b[^>]*>")


def print_chart(svg: str) -> str:
    """Our own chart's SVG with its print style inside it."""
    match = _SVG_OPEN.match(svg)
    if match is None:
        raise ValueError("Not one of our SVG charts.")
    return svg[: match.end()] + CHART_STYLE + svg[match.end() :]
