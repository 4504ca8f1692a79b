"""What each intake screen shows (cto/intake/screens.py): pure, no database."""

from __future__ import annotations

import pytest

from cto.intake import screens
from cto.intake import tree as tree_module
from tests.intake.factories import shipped_definition

TREE = tree_module.parse(shipped_definition())
AI_ANSWERS = {
    "building": {"text": "A claims agent"},
    "ai_role": {"choices": ["core"]},
    "ai_actions": {"choices": ["decide"]},
    "agents": {"choices": ["yes"]},
    "retrieval": {"choices": ["no"]},
    "pains": {"choices": ["costs"]},
}


def test_the_first_question_has_no_back_link_and_nothing_done() -> None:
    walk = tree_module.walk(TREE, {})
    screen = screens.question_screen(TREE, walk, TREE.start, {})
    assert (screen.back, screen.done) == ("", 0)
    assert screen.total >= 1


def test_a_later_question_goes_back_to_the_one_before_and_shows_its_answer() -> None:
    answers = {"building": AI_ANSWERS["building"], "ai_role": AI_ANSWERS["ai_role"]}
    walk = tree_module.walk(TREE, answers)
    screen = screens.question_screen(TREE, walk, "ai_role", answers)
    assert screen.back == "building"
    assert screen.answer == {"choices": ["core"]}
    assert screen.done == 1


def test_a_node_off_the_path_shows_where_the_prospect_is() -> None:
    walk = tree_module.walk(TREE, {"building": AI_ANSWERS["building"]})
    assert screens.question_or_frontier(TREE, walk, "pains") == "ai_role"
    assert screens.question_or_frontier(TREE, walk, "building") == "building"
    assert screens.question_or_frontier(TREE, walk, "no-such-node") == "ai_role"


def test_the_ai_result_shows_the_ai_red_flags_and_changes_from_the_last_question() -> None:
    walk = tree_module.walk(TREE, AI_ANSWERS)
    result = screens.result_screen(TREE, walk)
    assert result.outcome.key == "ai"
    assert result.red_flags
    assert all(flag.applies_to in ("ai", "both") for flag in result.red_flags)
    assert result.change == "pains"
    assert [step.question.id for step, _ in result.reasons]


def test_a_walk_without_an_outcome_has_no_result_screen() -> None:
    with pytest.raises(ValueError, match="not reached an outcome"):
        screens.result_screen(TREE, tree_module.walk(TREE, {}))
