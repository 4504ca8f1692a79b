"""cto/core/durations.py and its template filter: durations as a person says them."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template

from cto.core.durations import duration_text

td = datetime.timedelta


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (td(seconds=16.906798), "16 s"),  # what the funnel printed as 0:00:16.906798
        (td(seconds=0.4), "under 1 s"),
        (td(minutes=5, seconds=2), "5 min 2 s"),
        (td(minutes=1), "1 min"),
        (td(hours=2, minutes=5, seconds=59), "2 h 5 min"),
        (td(days=3, hours=4, minutes=30), "3 days 4 h"),
        (td(days=1, minutes=4), "1 day"),
        (td(days=400), "400 days"),
        (td(seconds=-90), "\u22121 min 30 s"),
    ],
)
def test_a_duration_reads_in_its_two_largest_units(value: td, expected: str) -> None:
    assert duration_text(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(td(seconds=16.9), "16 s"), (None, "none yet")])
def test_the_template_filter_writes_it_or_the_default_for_none(
    value: td | None, expected: str
) -> None:
    template = Template('{% load durations %}{{ value|duration|default:"none yet" }}')
    assert template.render(Context({"value": value})) == expected
