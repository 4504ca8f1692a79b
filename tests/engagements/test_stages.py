"""The transitions table, pair by pair. Pure: no database."""

from __future__ import annotations

import itertools

import pytest

from cto.engagements.stages import Stage, allowed_targets, transition_problem

S = Stage
# Written out by hand from the design, independently of the module's own table.
LEGAL = {
    (S.LEAD, S.QUALIFIED),
    (S.LEAD, S.LOST),
    (S.LEAD, S.PAUSED),
    (S.QUALIFIED, S.AUDIT),
    (S.QUALIFIED, S.PROPOSAL),
    (S.QUALIFIED, S.LOST),
    (S.QUALIFIED, S.PAUSED),
    (S.AUDIT, S.PROPOSAL),
    (S.AUDIT, S.LOST),
    (S.AUDIT, S.PAUSED),
    (S.PROPOSAL, S.ACTIVE),
    (S.PROPOSAL, S.LOST),
    (S.PROPOSAL, S.PAUSED),
    (S.ACTIVE, S.ONGOING),
    (S.ACTIVE, S.COMPLETED),
    (S.ACTIVE, S.LOST),
    (S.ACTIVE, S.PAUSED),
    (S.ONGOING, S.COMPLETED),
    (S.ONGOING, S.LOST),
    (S.ONGOING, S.PAUSED),
    (S.LOST, S.LEAD),
    (S.PAUSED, S.LOST),
}
ALL_PAIRS = list(itertools.product(Stage, Stage))


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_transition_is_allowed(current: Stage, target: Stage) -> None:
    assert transition_problem(current, target) is None
    assert target in allowed_targets(current)


@pytest.mark.parametrize(("current", "target"), [pair for pair in ALL_PAIRS if pair not in LEGAL])
def test_illegal_transition_is_refused_with_a_reason(current: Stage, target: Stage) -> None:
    problem = transition_problem(current, target)
    assert problem is not None
    assert current.label in problem


def test_every_pair_is_covered_by_the_two_tests_above() -> None:
    assert len(ALL_PAIRS) == 81
    assert {target for current in Stage for target in allowed_targets(current)} <= set(Stage)
    table = {(c, t) for c in Stage for t in allowed_targets(c)}
    assert table == LEGAL


def test_paused_resumes_only_to_the_stage_it_left() -> None:
    assert allowed_targets(S.PAUSED, paused_from=S.AUDIT) == {S.AUDIT, S.LOST}
    assert transition_problem(S.PAUSED, S.AUDIT, paused_from=S.AUDIT) is None
    assert transition_problem(S.PAUSED, S.ACTIVE, paused_from=S.AUDIT) is not None


def test_refusal_names_the_stages_that_are_allowed() -> None:
    problem = transition_problem(S.LEAD, S.ACTIVE)
    assert problem == (
        "An engagement at “Lead” cannot move to “Active”; "
        "it can move to “Qualified”, “Lost”, “Paused”."
    )


def test_completed_is_final() -> None:
    assert allowed_targets(S.COMPLETED) == frozenset()
    assert "final stage" in (transition_problem(S.COMPLETED, S.ONGOING) or "")


def test_same_stage_and_unknown_stage_are_refused() -> None:
    assert transition_problem(S.AUDIT, S.AUDIT) == "The engagement is already at stage “Audit”."
    assert transition_problem(S.AUDIT, "nonsense") == "“nonsense” is not a stage."
