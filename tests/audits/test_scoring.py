"""Scoring, red flags, recommendations and deltas on hand-computed fixtures. No database."""

from __future__ import annotations

import pytest

from cto.audits import definition as t
from cto.audits.scoring import NOT_APPLICABLE as NA
from cto.audits.scoring import compare, recommendations, red_flags, score
from tests.audits.factories import small_template


@pytest.fixture(scope="module")
def small() -> t.AuditTemplate:
    return t.parse(small_template())


def test_mixed_answers_score_as_computed_by_hand(small: t.AuditTemplate) -> None:
    result = score(small, {"e1": 4, "e2": 2, "e3": NA, "t1": 1, "t3": 3})
    evals, team = result.dimensions
    # evals: 4 + 2 points of a possible 8 (e3 is N/A): 75
    assert (evals.tally.raw, evals.tally.applicable_max, evals.score) == (6, 8, 75.0)
    assert (evals.tally.not_applicable, evals.tally.skipped) == (1, 0)
    # team: 1 + 3 of 8 (t2 unanswered, not counted as zero): 50
    assert (team.tally.raw, team.tally.applicable_max, team.score) == (4, 8, 50.0)
    assert team.tally.skipped == 1
    # overall: (3 x 75 + 1 x 50) / 4 = 68.75
    assert result.overall == 68.8
    assert result.band is not None
    assert result.band.key == "mid"
    assert (result.answered, result.total, result.complete) == (5, 6, False)
    assert {r.key: r.score for r in result.nist} == {
        "govern": 25.0,  # t1 = 1 of 4, t2 unanswered
        "map": 75.0,  # t3 = 3
        "measure": 75.0,  # e1 + e2 = 6 of 8
        "manage": None,  # only e3, N/A
    }
    assert {r.key: r.score for r in result.cisco} == {
        "data": 50.0,
        "governance": 100.0,
        "talent": 25.0,
        "culture": 75.0,
    }


def test_all_zero_scores_zero_in_the_lowest_band(small: t.AuditTemplate) -> None:
    result = score(small, dict.fromkeys(small.questions, 0))
    assert [d.score for d in result.dimensions] == [0.0, 0.0]
    assert result.overall == 0.0
    assert result.band is not None
    assert result.band.key == "low"
    assert result.complete


def test_all_four_scores_a_hundred_in_the_top_band(small: t.AuditTemplate) -> None:
    result = score(small, dict.fromkeys(small.questions, 4))
    assert [d.score for d in result.dimensions] == [100.0, 100.0]
    assert result.overall == 100.0
    assert result.band is not None
    assert result.band.key == "high"


def test_nothing_answered_has_no_score_rather_than_zero(small: t.AuditTemplate) -> None:
    result = score(small, {})
    assert [d.score for d in result.dimensions] == [None, None]
    assert (result.overall, result.band, result.answered) == (None, None, 0)
    assert [d.tally.skipped for d in result.dimensions] == [3, 3]


def test_a_dimension_that_is_all_not_applicable_is_left_out_of_the_overall(
    small: t.AuditTemplate,
) -> None:
    result = score(small, {"e1": NA, "e2": NA, "e3": NA, "t1": 4, "t2": 4, "t3": 2})
    assert result.dimensions[0].score is None
    assert result.dimensions[1].score == pytest.approx(83.3)
    assert result.overall == pytest.approx(83.3)


def test_agents_without_gates_fires_and_says_why(small: t.AuditTemplate) -> None:
    answers = {"e1": 1, "t1": 3}
    fired = red_flags(small, answers, score(small, answers), {"agents": ["yes"]})
    assert [flag.rule.id for flag in fired] == ["agents_without_gates", "weak_evals"]
    assert fired[0].because == (
        "In the intake, the answer to “agents” was “yes”.",
        "“Question e1?” is at level 1 of 4.",
    )
    assert fired[1].because == ("Evals scores 25 (below 50).",)


@pytest.mark.parametrize(
    ("answers", "intake"),
    [
        ({"e1": 1}, {"agents": ["no"]}),  # no agents
        ({"e1": 1}, {}),  # no intake at all
        ({"e1": 2, "t1": 2}, {"agents": ["yes"]}),  # gates good enough
        ({"e1": NA}, {"agents": ["yes"]}),  # N/A is not a low level
    ],
)
def test_agents_without_gates_does_not_fire(
    small: t.AuditTemplate, answers: dict, intake: dict
) -> None:
    fired = red_flags(small, answers, score(small, answers), intake)
    assert "agents_without_gates" not in [flag.rule.id for flag in fired]


def test_weak_evals_needs_a_score(small: t.AuditTemplate) -> None:
    assert red_flags(small, {}, score(small, {}), {}) == []
    strong = {"e1": 3, "e2": 3, "e3": 2}
    assert red_flags(small, strong, score(small, strong), {}) == []


def test_recommendations_for_weak_dimensions_most_urgent_first(small: t.AuditTemplate) -> None:
    answers = {"e1": 2, "e2": 2, "e3": 2, "t1": 0, "t2": 0, "t3": 0}
    found = recommendations(small, score(small, answers))
    # evals 50 -> 3 x 50 = 150; team 0 -> 1 x 100 = 100
    assert [(r.dimension.id, r.score, r.priority) for r in found] == [
        ("evals", 50.0, 150.0),
        ("team", 0.0, 100.0),
    ]
    assert recommendations(small, score(small, dict.fromkeys(small.questions, 3))) == []


def test_compare_lists_the_progress_per_dimension(small: t.AuditTemplate) -> None:
    before = score(small, dict.fromkeys(small.questions, 1))
    after = score(small, {**dict.fromkeys(small.questions, 3), "t3": NA})
    deltas = {d.key: (d.before, d.after, d.change) for d in compare(before, after)}
    assert deltas == {
        "overall": (25.0, 75.0, 50.0),
        "evals": (25.0, 75.0, 50.0),
        "team": (25.0, 75.0, 50.0),
    }
