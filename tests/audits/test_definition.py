"""Audit template validation: each kind of fault, reported where it is. No database."""

from __future__ import annotations

from typing import Any

import pytest

from cto.audits import definition as t
from tests.audits.factories import question, small_template


def problems_of(data: Any) -> list[str]:
    with pytest.raises(t.TemplateError) as raised:
        t.parse(data)
    return raised.value.problems


def test_the_small_template_is_sound() -> None:
    parsed = t.parse(small_template())
    assert [d.id for d in parsed.dimensions] == ["evals", "team"]
    assert set(parsed.questions) == {"e1", "e2", "e3", "t1", "t2", "t3"}
    assert parsed.band_for(80).key == "high"
    assert parsed.band_for(39.9).key == "low"


def test_weights_that_do_not_add_up_are_refused() -> None:
    assert problems_of(small_template(weights_total=10)) == [
        "(dimensions): the weights add up to 4, but the template declares weights_total 10."
    ]


def test_duplicate_question_ids_are_refused() -> None:
    data = small_template()
    data["dimensions"][1]["questions"][0] = question("e1")
    assert "team.e1: this question id is used twice." in problems_of(data)


def test_duplicate_dimension_ids_are_refused() -> None:
    data = small_template()
    data["dimensions"][1]["id"] = "evals"
    assert "evals: this dimension id is used twice." in problems_of(data)


def test_a_rule_naming_an_unknown_dimension_or_question_is_refused() -> None:
    data = small_template()
    data["red_flags"][1]["when"] = {"dimension": {"id": "vibes", "below": 50}}
    data["red_flags"][0]["when"]["all"][1]["any"][0] = {"answer": {"question": "zz", "at_most": 1}}
    found = problems_of(data)
    assert "red flag weak_evals: names the unknown dimension 'vibes'." in found
    assert "red flag agents_without_gates: names the unknown question 'zz'." in found


def test_bad_levels_frameworks_and_sizes_are_refused() -> None:
    data = small_template()
    data["dimensions"][0]["questions"][0]["levels"] = ["only", "four", "of", "them"]
    data["dimensions"][0]["questions"][1]["nist"] = "vibe"
    data["dimensions"][1]["questions"] = data["dimensions"][1]["questions"][:2]
    found = problems_of(data)
    assert "evals.e1: “levels” must be 5 texts, for levels 0 to 4." in found
    assert "evals.e2: “nist” must be one of govern, map, measure, manage." in found
    assert "team: a dimension has 3 to 6 questions (it has 2)." in found


def test_bands_must_start_at_zero_and_rise() -> None:
    data = small_template(bands=[{"key": "a", "label": "A", "min": 10}])
    assert "(bands): the first band starts at 0 and each starts above the last." in problems_of(
        data
    )
