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
    assert result.reasons
    assert result.unweighed  # what they are building, and retrieval answered "No"


def test_the_result_reads_each_answer_back_naming_its_question() -> None:
    result = screens.result_screen(TREE, tree_module.walk(TREE, AI_ANSWERS))
    said = [answer.said for answer in result.reasons]
    assert (
        "Asked whether models or agents call tools, APIs or other systems on their own, "
        "you answered “Yes”."
    ) in said
    assert "Asked what the AI does for your customers, you chose “Decides or recommends”." in said
    agents = next(answer for answer in result.reasons if "agents call tools" in answer.said)
    assert agents.reasons[0].startswith("Agents call tools, so you need tool permissions")
    unweighed = [answer.said for answer in result.unweighed]
    assert unweighed == [
        "Asked what you are building, you wrote “A claims agent”.",
        "Asked whether the product only works when it finds the right documents or data for "
        "the model, you answered “No”.",
    ]
    for answer in result.reasons + result.unweighed:
        assert "You said" not in answer.said


def test_several_choices_are_listed_as_a_person_lists_them() -> None:
    answers = {**AI_ANSWERS, "pains": {"choices": ["demos_fail", "costs", "regressions"]}}
    walk = tree_module.walk(TREE, answers)
    pains = next(step for step in walk.steps if step.question.id == "pains")
    assert screens.said(pains) == (
        "Asked which of these problems you have run into, you chose “Demos that work, then "
        "fail with real users”, “Model costs that threaten our margins” and “Not knowing "
        "whether a model or prompt change made things better or worse”."
    )


def test_a_question_without_an_asked_phrase_is_quoted_and_a_blank_answer_said_so() -> None:
    tree = tree_module.parse(
        {
            "slug": "t",
            "title": "T",
            "start": "q",
            "nodes": [
                {
                    "id": "q",
                    "type": "text",
                    "optional": True,
                    "prompt": "Anything else?",
                    "next": "yn",
                },
                {"id": "yn", "type": "yes_no", "prompt": "Is it live?", "next": "done"},
                {
                    "id": "done",
                    "type": "outcome",
                    "key": "generic",
                    "engagement_kind": "generic",
                    "title": "Done",
                    "summary": "Done.",
                },
            ],
        }
    )
    walk = tree_module.walk(tree, {"q": {"text": ""}, "yn": {"choices": ["no"]}})
    assert [screens.said(step) for step in walk.steps] == [
        "Asked “Anything else?”, you left it blank.",
        "Asked “Is it live?”, you answered “No”.",
    ]


def test_a_walk_without_an_outcome_has_no_result_screen() -> None:
    with pytest.raises(ValueError, match="not reached an outcome"):
        screens.result_screen(TREE, tree_module.walk(TREE, {}))
