"""Ranking, sensitivity, gate verdicts and risk order on hand-computed fixtures. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cto.aiplan.ranking import (
    Candidate,
    Criterion,
    Risk,
    best_score,
    by_risk,
    gate_verdict,
    rank,
    utility,
)

QUALITY = Criterion("quality", "Quality", 3, higher_is_better=True)
COST = Criterion("cost", "Cost per task", 1, higher_is_better=False)
A, B, C = Candidate("a", "Model A"), Candidate("b", "Model B"), Candidate("c", "Model C")
SCORES = {
    ("a", "quality"): 5,  # utility 1
    ("a", "cost"): 5,  # lower is better: utility 0
    ("b", "quality"): 4,  # 0.75
    ("b", "cost"): 1,  # 1
    ("c", "quality"): 3,  # 0.5
    ("c", "cost"): 3,  # 0.5
}


def test_utility_runs_both_ways() -> None:
    assert [utility(s, QUALITY) for s in (1, 3, 5)] == [0.0, 0.5, 1.0]
    assert [utility(s, COST) for s in (1, 3, 5)] == [1.0, 0.5, 0.0]
    assert utility(None, QUALITY) == 0.0


def test_weighted_normalised_totals_as_computed_by_hand() -> None:
    ranking = rank([A, B, C], [QUALITY, COST], SCORES)
    # B: (3 x 0.75 + 1 x 1) / 4 = 81.25; A: (3 x 1 + 0) / 4 = 75; C: 50
    assert [(r.candidate.key, r.total, r.position, r.tied) for r in ranking.rows] == [
        ("b", 81.25, 1, False),
        ("a", 75.0, 2, False),
        ("c", 50.0, 3, False),
    ]


def test_the_sensitivity_line_names_the_smallest_flip() -> None:
    ranking = rank([A, B, C], [QUALITY, COST], SCORES)
    # B leads A by 3 x (0.75 - 1) + 1 x (1 - 0) = 0.25. Quality would flip above 4 (+1);
    # cost below 0.75 (-0.25): the smaller change.
    assert ranking.flip is not None
    assert (ranking.flip.criterion.key, ranking.flip.new_weight) == ("cost", 0.75)
    assert ranking.sensitivity == (
        "Lowering the weight of Cost per task from 1 to below 0.75 would put Model A ahead "
        "of Model B."
    )
    # Checking the claim: at 0.7 the order has flipped.
    flipped = rank([A, B], [QUALITY, Criterion("cost", "Cost per task", 0.7, False)], SCORES)
    assert flipped.rows[0].candidate == A


def test_raising_a_weight_can_be_the_flip() -> None:
    heavy_cost = Criterion("cost", "Cost per task", 10, higher_is_better=False)
    ranking = rank([A, B], [QUALITY, heavy_cost], SCORES)
    # B leads by 3 x -0.25 + 10 x 1 = 9.25; quality flips above 3 + 37 = 40, cost below 0.75.
    assert ranking.flip is not None
    assert (ranking.flip.criterion.key, ranking.flip.new_weight) == ("cost", 0.75)
    only_quality_can = rank([A, B], [QUALITY, Criterion("cost", "Cost", 0, False)], SCORES)
    assert only_quality_can.rows[0].candidate == A  # with cost weightless, A leads
    assert only_quality_can.flip is not None
    assert only_quality_can.flip.raise_weight  # raising cost's weight above 0.75 flips back


def test_ties_share_a_position_and_are_reported() -> None:
    twin = Candidate("twin", "Model A twin")
    scores = {**SCORES, ("twin", "quality"): 5, ("twin", "cost"): 5}
    ranking = rank([A, B, twin], [QUALITY, COST], scores)
    assert [(r.candidate.key, r.position, r.tied) for r in ranking.rows] == [
        ("b", 1, False),
        ("a", 2, True),
        ("twin", 2, True),
    ]
    top_tie = rank([A, twin], [QUALITY, COST], scores)
    assert top_tie.flip is None
    assert top_tie.sensitivity == "Model A and Model A twin are tied."


def test_unscored_cells_count_as_the_worst_and_are_listed() -> None:
    ranking = rank(
        [A, C], [QUALITY, COST], {("a", "quality"): 5, ("c", "quality"): 3, ("c", "cost"): 3}
    )
    a_row = next(r for r in ranking.rows if r.candidate == A)
    assert (a_row.total, a_row.unscored) == (75.0, ("cost",))


def test_nothing_to_compare_says_so() -> None:
    assert "add at least two candidates" in rank([A], [QUALITY], SCORES).sensitivity


@pytest.mark.parametrize(
    ("comparison", "threshold", "value", "verdict"),
    [
        (">=", "0.90", "0.90", "pass"),
        (">=", "0.90", "0.89", "fail"),
        (">", "0.90", "0.90", "fail"),
        (">", "0.90", "0.91", "pass"),
        ("<=", "800", "800", "pass"),
        ("<=", "800", "801", "fail"),
        ("<", "800", "800", "fail"),
        ("<", "800", "799", "pass"),
        ("==", "0", "0", "pass"),
        ("==", "0", "1", "fail"),
        (">=", "0.9", None, "no result"),
    ],
)
def test_gate_verdicts(comparison: str, threshold: str, value: str | None, verdict: str) -> None:
    found = gate_verdict(comparison, Decimal(threshold), Decimal(value) if value else None)
    assert found == verdict


def test_failure_modes_sort_by_risk_then_impact() -> None:
    risks = [
        Risk("a", "Prompt injection", likelihood=2, impact=5),  # 10
        Risk("b", "Stale retrieval", likelihood=5, impact=2),  # 10, lower impact
        Risk("c", "Vendor outage", likelihood=3, impact=4),  # 12
        Risk("d", "Cost spike", likelihood=1, impact=1),  # 1
    ]
    assert [r.key for r in by_risk(risks)] == ["c", "a", "b", "d"]


def test_a_lead_that_only_zeroing_a_weight_would_cancel_cannot_flip() -> None:
    # A beats B only on quality; at weight 0 they would tie, and weights cannot go lower.
    even = Criterion("even", "Even", 5)
    scores = {("a", "quality"): 5, ("b", "quality"): 3, ("a", "even"): 3, ("b", "even"): 3}
    ranking = rank([A, B], [QUALITY, even], scores)
    assert ranking.rows[0].candidate == A
    assert ranking.flip is None
    assert ranking.sensitivity == "No change to a single weight would put Model B ahead of Model A."


# --- The best score of a row, by the criterion's direction ------------------------------------


def test_the_best_score_where_higher_is_better_is_the_highest() -> None:
    assert best_score([2, 5, 3], QUALITY) == 5


def test_the_best_score_where_lower_is_better_is_the_lowest() -> None:
    assert best_score([2, 5, 3, 2], COST) == 2


@pytest.mark.parametrize("scores", [[], [4], [3, 3, 3]])
def test_no_score_is_best_when_none_stands_out(scores: list[int]) -> None:
    assert best_score(scores, COST) is None
