"""cto.intake.tree.parsing: each kind of fault, reported with its node. No database."""

from __future__ import annotations

from typing import Any

import pytest

from cto.intake import tree as t
from tests.intake.factories import node, shipped_definition, small_tree


def problems_of(definition: Any) -> list[str]:
    with pytest.raises(t.TreeError) as raised:
        t.parse(definition)
    return [str(problem) for problem in raised.value.problems]


# --- Validation: each kind of fault, reported with its node --------------------------------


def test_the_small_tree_is_sound() -> None:
    tree = t.parse(small_tree())
    assert set(tree.questions) == {"q1", "q2", "q3"}
    assert set(tree.outcomes) == {"end_ai", "end_generic"}


def test_the_shipped_tree_passes_validation() -> None:
    tree = t.parse(shipped_definition())
    assert {outcome.key for outcome in tree.outcomes.values()} == {
        "ai",
        "generic",
        "generic_plus_specialist",
    }
    assert {row.id for row in tree.scope_rows} == {
        "architecture",
        "delivery",
        "hiring",
        "vendors",
        "data",
        "governance",
        "ai_infra",
        "week_one",
    }


def test_every_shipped_question_names_itself_for_the_sentences_read_back() -> None:
    tree = t.parse(shipped_definition())
    assert all(question.asked for question in tree.questions.values())
    assert tree.questions["agents"].asked.startswith("whether models or agents call tools")


def test_a_list_item_holding_a_comma_stays_one_item() -> None:
    # Issue 25: a list parsed from text broke "One early trace, eval and failure mode" in two.
    # The tree's lists are YAML block lists, read as lists: the item keeps its commas.
    week_one = t.parse(shipped_definition()).outcomes["outcome_ai"].week_one
    assert "One early trace, one early eval and one early failure mode made visible" in week_one
    assert len(week_one) == 6


def test_an_asked_phrase_that_is_not_text_is_reported() -> None:
    tree = small_tree()
    node(tree, "q1")["asked"] = ["whether", "first"]
    assert "q1: “asked” must be a text." in problems_of(tree)


def test_duplicate_ids_are_reported() -> None:
    tree = small_tree()
    tree["nodes"].append({"id": "q3", "type": "text", "prompt": "Again?", "next": "end_ai"})
    assert "q3: This id is used by more than one node." in problems_of(tree)


def test_duplicate_choice_ids_are_reported() -> None:
    tree = small_tree()
    node(tree, "q2")["choices"].append({"id": "x", "label": "X again"})
    assert "q2: The choice id “x” is used twice." in problems_of(tree)


def test_unreachable_nodes_are_reported() -> None:
    tree = small_tree()
    tree["nodes"].append({"id": "orphan", "type": "text", "prompt": "?", "next": "end_ai"})
    assert problems_of(tree) == ["orphan: Not reachable from the start."]


def test_dangling_targets_are_reported() -> None:
    tree = small_tree()
    node(tree, "q1")["choices"][1]["next"] = "nowhere"
    assert problems_of(tree) == ["q1: Leads to 'nowhere', which is not a node."]


def test_cycles_are_reported() -> None:
    tree = small_tree()
    node(tree, "q3")["next"] = "q1"
    assert "q1: Cycle: q1 → q2 → q3 → q1." in problems_of(tree)


def test_a_question_leading_to_itself_is_reported() -> None:
    tree = small_tree()
    node(tree, "q3")["next"] = "q3"
    assert "q3: Leads to itself." in problems_of(tree)


def test_a_path_that_ends_without_an_outcome_is_reported() -> None:
    tree = small_tree()
    del node(tree, "q3")["next"]
    assert "q3: A text question needs “next”." in problems_of(tree)


def test_a_choice_that_leads_nowhere_is_reported() -> None:
    tree = small_tree()
    del node(tree, "q1")["choices"][1]["next"]
    assert "q1: The choice “b” leads nowhere (no “next” on it or the question)." in problems_of(
        tree
    )


def test_a_missing_start_and_missing_outcomes_are_reported() -> None:
    tree = small_tree(start="q9")
    tree["nodes"] = [n for n in tree["nodes"] if n.get("type") != "outcome"]
    found = problems_of(tree)
    assert "(tree): The start node 'q9' does not exist." in found
    assert "(tree): The tree has no outcome." in found


def test_routes_naming_unknown_choices_are_reported() -> None:
    tree = small_tree()
    node(tree, "q2")["routes"][0]["when_any"] = ["zzz"]
    assert problems_of(tree) == ["q2: A route names the unknown choice “zzz”."]


def test_bad_types_and_missing_texts_are_reported_per_node() -> None:
    tree = small_tree()
    node(tree, "q1")["prompt"] = ""
    node(tree, "q3")["type"] = "essay"
    found = problems_of(tree)
    assert "q1: “prompt” must be a non-empty text." in found
    assert any(problem.startswith("q3: Unknown question type 'essay'") for problem in found)


def test_unknown_scope_rows_in_highlights_are_reported() -> None:
    tree = small_tree(scope_rows=[{"id": "data", "area": "Data", "generic": "g", "ai": "a"}])
    node(tree, "q1")["choices"][0]["highlights"] = ["data", "magic"]
    assert problems_of(tree) == ["q1: The choice “a” highlights the unknown scope row “magic”."]


def test_a_non_mapping_is_refused() -> None:
    assert problems_of(["not", "a", "tree"]) == [
        "(tree): A tree must be a mapping with “start” and “nodes”."
    ]


def test_every_problem_is_reported_at_once() -> None:
    tree = small_tree()
    node(tree, "q1")["choices"][1]["next"] = "nowhere"
    node(tree, "q2")["routes"][0]["when_any"] = ["zzz"]
    assert len(problems_of(tree)) == 2
