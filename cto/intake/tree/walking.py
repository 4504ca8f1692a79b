"""Walking a set of answers through a tree: cleaning an answer, the next node, the walk from
the start, and how far along a prospect is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cto.intake.tree.model import (
    AnswerError,
    Problem,
    Question,
    Step,
    Tree,
    TreeError,
    Walk,
    edges,
)


def clean_answer(question: Question, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check a submitted answer against its question and return it in stored form.

    ``raw`` holds ``choices`` (a list of choice ids) or ``text``. Raises AnswerError with a
    message for the person answering: an unknown choice id, two choices on a single-choice
    question, a missing answer, a text too long.
    """
    if question.kind == "text":
        text = raw.get("text", "")
        if not isinstance(text, str):
            raise AnswerError("That answer could not be read. Please type it again.")
        text = text.replace("\x00", "").strip()
        if not text and not question.optional:
            raise AnswerError("Please write an answer.")
        if len(text) > question.max_length:
            raise AnswerError(
                f"Please keep this under {question.max_length} characters (it is {len(text)})."
            )
        return {"text": text}

    chosen = raw.get("choices", [])
    if not isinstance(chosen, list) or not all(isinstance(item, str) for item in chosen):
        raise AnswerError("That answer could not be read. Please choose again.")
    chosen = list(dict.fromkeys(chosen))
    unknown = [choice_id for choice_id in chosen if question.choice(choice_id) is None]
    if unknown:
        raise AnswerError("That choice is not one of this question's options. Please choose again.")
    if not chosen:
        raise AnswerError(
            "Please choose at least one option."
            if question.kind == "multiple"
            else "Please choose an option."
        )
    if question.kind != "multiple" and len(chosen) > 1:
        raise AnswerError("Please choose only one option.")
    # Keep the question's own order, so equal answers are stored equally.
    order = [choice.id for choice in question.choices]
    return {"choices": sorted(chosen, key=order.index)}


def next_node(question: Question, answer: Mapping[str, Any]) -> str:
    """Where an (already cleaned) answer to ``question`` leads."""
    chosen = answer.get("choices", [])
    if question.kind == "multiple":
        for route in question.routes:
            if any(choice_id in chosen for choice_id in route.when_any):
                return route.next
    elif question.kind in ("single", "yes_no") and chosen:
        choice = question.choice(chosen[0])
        if choice is not None and choice.next:
            return choice.next
    if question.next is None:  # validate() rules this out for published trees
        raise AnswerError(f"The question {question.id} leads nowhere.")
    return question.next


def walk(tree: Tree, answers: Mapping[str, Mapping[str, Any]]) -> Walk:
    """Replay ``answers`` from the start node. Answers that no longer fit their question
    (the stored data was tampered with) stop the walk there, as if unanswered."""
    steps: list[Step] = []
    node_id = tree.start
    for _ in range(len(tree.questions) + 1):  # a validated tree has no cycles; belt and braces
        if node_id in tree.outcomes:
            return Walk(tuple(steps), outcome=tree.outcomes[node_id])
        question = tree.questions[node_id]
        raw = answers.get(node_id)
        if raw is None:
            return Walk(tuple(steps), frontier=question)
        try:
            answer = clean_answer(question, raw)
        except AnswerError:
            return Walk(tuple(steps), frontier=question)
        steps.append(Step(question, answer))
        node_id = next_node(question, answer)
    raise TreeError([Problem(node_id, "The walk did not end: the tree has a cycle.")])


def most_remaining(tree: Tree, node_id: str) -> int:
    """The most questions that can still come from ``node_id`` (itself included) before an
    outcome: the progress bar's horizon. Taking the longest way means the bar never moves
    backwards as answers are given; a shorter path simply finishes early."""
    memo = tree._remaining

    def longest(current: str) -> int:
        if current not in tree.questions:
            return 0
        if current not in memo:
            memo[current] = 1 + max((longest(target) for target in edges(tree, current)), default=0)
        return memo[current]

    return longest(node_id)


def progress(walk_: Walk, current: str, tree: Tree) -> tuple[int, int]:
    """(questions behind, questions in all) for the node ``current`` on the walk's path.

    The total counts the answered questions plus, past the frontier, the most questions that
    can still come; on the outcome both numbers are equal."""
    position = walk_.path.index(current)
    tail = most_remaining(tree, walk_.frontier.id) if walk_.frontier else 0
    return position, len(walk_.steps) + tail
