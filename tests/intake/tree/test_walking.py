"""cto.intake.tree.walking: answers, walks, progress, and the shipped tree's outcomes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cto.intake import tree as t
from tests.intake.factories import shipped_definition, small_tree

# --- Answers and walks ----------------------------------------------------------------------


@pytest.fixture
def small() -> t.Tree:
    return t.parse(small_tree())


def test_walk_follows_answers_to_an_outcome(small: t.Tree) -> None:
    walk = t.walk(small, {"q1": {"choices": ["a"]}, "q2": {"choices": ["x", "y"]}})
    assert walk.path == ["q1", "q2", "end_ai"]
    assert walk.outcome is not None
    assert walk.outcome.key == "ai"
    assert [(step.question.id, choice.id) for step, choice in walk.reasons] == [("q1", "a")]


def test_walk_stops_at_the_first_unanswered_question(small: t.Tree) -> None:
    walk = t.walk(small, {"q1": {"choices": ["a"]}})
    assert walk.frontier is not None
    assert (walk.path, walk.frontier.id, walk.outcome) == (["q1", "q2"], "q2", None)


def test_answers_off_the_path_are_kept_but_do_not_count(small: t.Tree) -> None:
    answers = {"q1": {"choices": ["b"]}, "q2": {"choices": ["x"]}}
    walk = t.walk(small, answers)
    assert walk.path == ["q1", "end_generic"]


def test_a_tampered_stored_answer_stops_the_walk(small: t.Tree) -> None:
    walk = t.walk(small, {"q1": {"choices": ["forged"]}})
    assert walk.frontier is not None
    assert walk.frontier.id == "q1"


def test_multiple_choice_without_a_matching_route_takes_next(small: t.Tree) -> None:
    walk = t.walk(small, {"q1": {"choices": ["a"]}, "q2": {"choices": ["y"]}, "q3": {"text": ""}})
    assert walk.path == ["q1", "q2", "q3", "end_generic"]


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("q1", {"choices": ["zzz"]}, "That choice is not one of this question's options."),
        ("q1", {"choices": ["a", "b"]}, "Please choose only one option."),
        ("q1", {"choices": []}, "Please choose an option."),
        ("q2", {"choices": []}, "Please choose at least one option."),
        ("q1", {"choices": "a"}, "That answer could not be read."),
        ("q3", {"text": ["x"]}, "That answer could not be read."),
        ("q3", {"text": "x" * 2001}, "Please keep this under 2000 characters (it is 2001)."),
    ],
)
def test_bad_answers_are_refused_with_a_message(
    small: t.Tree, question_id: str, raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(t.AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        t.clean_answer(small.questions[question_id], raw)


def test_answers_are_stored_in_the_questions_order_without_repeats(small: t.Tree) -> None:
    assert t.clean_answer(small.questions["q2"], {"choices": ["y", "x", "y"]}) == {
        "choices": ["x", "y"]
    }
    assert t.clean_answer(small.questions["q3"], {"text": "  hi\x00 "}) == {"text": "hi"}


def test_progress_counts_answered_and_likely_remaining(small: t.Tree) -> None:
    walk = t.walk(small, {"q1": {"choices": ["a"]}})
    # q1 answered; from q2 the longest way left is q2 then q3.
    assert t.progress(walk, "q2", small) == (1, 3)
    assert t.progress(walk, "q1", small) == (0, 3)
    assert t.progress(t.walk(small, {}), "q1", small) == (0, 3)
    done = t.walk(small, {"q1": {"choices": ["b"]}})
    assert t.progress(done, "end_generic", small) == (1, 1)


# --- Outcome fixtures on the shipped tree -----------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> t.Tree:
    return t.parse(shipped_definition())


def answers(**chosen: Any) -> dict[str, dict[str, Any]]:
    return {
        node_id: {"text": value} if isinstance(value, str) else {"choices": list(value)}
        for node_id, value in chosen.items()
    }


def test_an_ai_heavy_profile_gets_the_ai_cto(shipped: t.Tree) -> None:
    walk = t.walk(
        shipped,
        answers(
            building="An agent that files insurance claims",
            ai_role=["core"],
            ai_actions=["decide", "operate"],
            agents=["yes"],
            retrieval=["yes"],
            pains=["demos_fail", "costs"],
        ),
    )
    assert walk.outcome is not None
    assert (walk.outcome.key, walk.outcome.engagement_kind) == ("ai", "ai")
    said = {choice.label for _, choice in walk.reasons}
    assert "Yes" in said  # agents call tools
    assert {"ai_infra", "governance", "data"} <= walk.highlighted_rows


def test_plain_saas_with_an_ai_summariser_gets_the_generic_cto(shipped: t.Tree) -> None:
    walk = t.walk(
        shipped,
        answers(
            building="Invoicing for plumbers",
            ai_role=["feature"],
            failure_cost=["graceful"],
            ai_depth=["api_only"],
            core_risk=["speed"],
        ),
    )
    assert walk.outcome is not None
    assert (walk.outcome.key, walk.outcome.engagement_kind) == ("generic", "generic")


def test_low_stakes_internal_ai_project_gets_the_generic_cto_plus_a_specialist(
    shipped: t.Tree,
) -> None:
    walk = t.walk(
        shipped,
        answers(
            building="",
            ai_role=["feature"],
            failure_cost=["graceful"],
            ai_depth=["contained"],
            project_area=["internal"],
        ),
    )
    assert walk.outcome is not None
    assert walk.outcome.key == "generic_plus_specialist"


def test_an_ai_feature_whose_failure_costs_trust_escalates_to_the_ai_cto(shipped: t.Tree) -> None:
    walk = t.walk(
        shipped,
        answers(
            building="",
            ai_role=["feature"],
            failure_cost=["trust"],
            ai_actions=["create"],
            agents=["no"],
            retrieval=["no"],
            pains=["none_yet"],
        ),
    )
    assert walk.outcome is not None
    assert walk.outcome.key == "ai"


# --- Property: every random walk through a published tree reaches an outcome -------------------


@st.composite
def random_answers(draw: st.DrawFn, tree: t.Tree) -> tuple[dict[str, Any], list[str]]:
    """Answer each question on the way with a random valid answer; record the path taken."""
    answered: dict[str, Any] = {}
    node_id = tree.start
    while node_id in tree.questions:
        question = tree.questions[node_id]
        if question.kind == "text":
            answer: dict[str, Any] = {"text": draw(st.text(max_size=50))}
        elif question.kind == "multiple":
            ids = [choice.id for choice in question.choices]
            answer = {"choices": draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))}
        else:
            answer = {"choices": [draw(st.sampled_from([c.id for c in question.choices]))]}
        answered[node_id] = t.clean_answer(question, answer)
        node_id = t.next_node(question, answered[node_id])
    return answered, [*answered, node_id]


@pytest.mark.parametrize(
    "definition", [shipped_definition(), small_tree()], ids=["shipped", "small"]
)
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_random_walk_reaches_an_outcome(
    definition: dict[str, Any], data: st.DataObject
) -> None:
    tree = t.parse(definition)
    answered, path = data.draw(random_answers(tree))
    walk = t.walk(tree, answered)
    assert walk.outcome is not None
    assert walk.path == path
    assert walk.path[-1] in tree.outcomes
    done, total = t.progress(walk, walk.outcome.id, tree)
    assert done == total == len(walk.steps)
    # The bar never moves backwards: each answer leaves the total the same or smaller.
    totals = [
        t.progress(t.walk(tree, dict(list(answered.items())[:n])), path[n], tree)[1]
        for n in range(len(path))
    ]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.django_db
def test_every_published_tree_in_the_database_walks_to_an_outcome() -> None:
    """The same property over what is actually published (after `load_tree --publish`)."""
    from django.core.management import call_command

    from cto.intake.models import TreeVersion

    out = io.StringIO()
    call_command("load_tree", "--publish", stdout=out)
    assert "cto-fit.yaml: cto-fit v1 (Published) (loaded)" in out.getvalue()
    published = list(TreeVersion.objects.published())
    assert published

    @settings(max_examples=200)
    @given(data=st.data())
    def walks_end(data: st.DataObject) -> None:
        for version in published:
            tree = version.parsed()
            answered, path = data.draw(random_answers(tree))
            assert t.walk(tree, answered).path == path
            assert path[-1] in tree.outcomes

    walks_end()
