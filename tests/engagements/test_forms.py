"""The timeline's filter form: what it takes from a query string, and what it drops."""

from __future__ import annotations

import pytest

from cto.engagements.forms import TimelineFilterForm
from cto.engagements.selectors import ACTOR_SYSTEM, TimelineChoices, TimelineFilter

CHOICES = TimelineChoices(
    kinds=[("engagement.created", "Created the engagement"), ("quote.changed", "Changed a quote")],
    actors=[("7", "Ada Lovelace"), (ACTOR_SYSTEM, "The system")],
)


def wanted(data: dict[str, str]) -> tuple[TimelineFilter, dict[str, list[str]]]:
    form = TimelineFilterForm(data, choices=CHOICES)
    return form.wanted(), {name: list(errors) for name, errors in form.errors.items()}


def test_no_query_string_asks_for_the_latest_events_of_every_kind_by_anyone() -> None:
    assert wanted({}) == (TimelineFilter(), {})


def test_a_kind_an_actor_and_the_full_timeline_are_read() -> None:
    data = {"kind": "quote.changed", "actor": "7", "timeline": "all"}
    assert wanted(data) == (TimelineFilter(kind="quote.changed", actor="7", full=True), {})


def test_the_system_is_an_actor() -> None:
    assert wanted({"actor": ACTOR_SYSTEM})[0] == TimelineFilter(actor=ACTOR_SYSTEM)


def test_an_unknown_kind_is_dropped_with_a_message_and_the_actor_still_applies() -> None:
    found, errors = wanted({"kind": "=cmd|' /C calc'!A0", "actor": "7"})
    assert found == TimelineFilter(actor="7")
    assert errors == {"kind": ["No event of that kind is on this timeline; every kind is shown."]}


@pytest.mark.parametrize("actor", ["99", "abc", "-1", "7 ", "7.0", "x" * 5000])
def test_an_actor_not_on_the_timeline_is_dropped_with_a_message(actor: str) -> None:
    found, errors = wanted({"kind": "quote.changed", "actor": actor})
    assert found == TimelineFilter(kind="quote.changed")
    assert errors == {
        "actor": ["No one by that name is on this timeline; anyone's events are shown."]
    }


def test_a_timeline_other_than_all_asks_for_the_latest_events() -> None:
    assert wanted({"timeline": "everything"})[0] == TimelineFilter()


def test_the_select_offers_every_kind_and_anyone_first() -> None:
    form = TimelineFilterForm({}, choices=CHOICES)
    assert form.fields["kind"].choices[0] == ("", "Every kind")  # type: ignore[attr-defined]  # ChoiceField
    assert form.fields["actor"].choices == [  # type: ignore[attr-defined]  # ChoiceField
        ("", "Anyone"),
        ("7", "Ada Lovelace"),
        (ACTOR_SYSTEM, "The system"),
    ]
