"""What each intake screen shows, decided from the tree and the answers alone: the progress of a
question and the question before it, or the result with the reasons that led to it and the red
flags that apply; and each answer read back to the prospect as a sentence that names its
question (the result page, the emails and the summary PDF all say it the same way). Pure: no
request, no database; the views turn nodes into URLs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cto.intake import tree as tree_module

# The red flags each recommendation warns about: a flag written for both kinds of CTO applies
# to every outcome, and an outcome of another key (a specialist beside a generic CTO) to all.
_AUDIENCES = {"ai": {"ai", "both"}, "generic": {"generic", "both"}}
_EVERYONE = {"generic", "ai", "both"}


@dataclass(frozen=True)
class QuestionScreen:
    question: tree_module.Question
    answer: Mapping[str, Any]  # the stored answer, to show it ticked; empty when unanswered
    done: int  # questions behind this one
    total: int  # questions in all, at most
    back: str  # the node before this one on the path, "" on the first question


@dataclass(frozen=True)
class ReadBack:
    """One answer as the prospect reads it afterwards: the sentence naming the question and
    the answer, and why it matters (none: it did not change the recommendation)."""

    said: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ResultScreen:
    outcome: tree_module.Outcome
    reasons: list[ReadBack]  # the answers that shaped the recommendation, in path order
    unweighed: list[ReadBack]  # the answers that did not change it
    scope_rows: list[tuple[tree_module.ScopeRow, bool]]  # every row, and whether it applies
    red_flags: list[tree_module.RedFlag]
    change: str  # the last question answered, to change an answer from


def question_or_frontier(tree: tree_module.Tree, walk: tree_module.Walk, node: str) -> str:
    """The screen to show when ``node`` is asked for: itself when it is a question on the
    walk's path, else where the prospect really is (the next unanswered question, or the
    outcome)."""
    if node in walk.path and node in tree.questions:
        return node
    return walk.end.id


def question_screen(
    tree: tree_module.Tree, walk: tree_module.Walk, node: str, answers: Mapping[str, Any]
) -> QuestionScreen:
    """The screen of the question ``node``, which must be on the walk's path."""
    done, total = tree_module.progress(walk, node, tree)
    position = walk.path.index(node)
    return QuestionScreen(
        question=tree.questions[node],
        answer=answers.get(node, {}),
        done=done,
        total=total,
        back=walk.path[position - 1] if position > 0 else "",
    )


def result_screen(tree: tree_module.Tree, walk: tree_module.Walk) -> ResultScreen:
    """The screen of the outcome the walk reached."""
    if walk.outcome is None:
        raise ValueError("The walk has not reached an outcome.")
    audience = _AUDIENCES.get(walk.outcome.key, _EVERYONE)
    highlighted = walk.highlighted_rows
    answers = read_back(walk)
    return ResultScreen(
        outcome=walk.outcome,
        reasons=[answer for answer in answers if answer.reasons],
        unweighed=[answer for answer in answers if not answer.reasons],
        scope_rows=[(row, row.id in highlighted) for row in tree.scope_rows],
        red_flags=[flag for flag in tree.red_flags if flag.applies_to in audience],
        change=walk.steps[-1].question.id if walk.steps else tree.start,
    )


def _quoted(items: list[str]) -> str:
    quoted = [f"“{item}”" for item in items]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def said(step: tree_module.Step) -> str:
    """The answer as a person would say it back: "Asked whether agents call tools, you
    answered “Yes”." A question without an ``asked`` phrase is quoted whole."""
    question = step.question
    asked = question.asked or f"“{question.prompt}”"
    if question.kind == "text":
        text = step.answer_text
        return (
            f"Asked {asked}, you wrote “{text}”." if text else f"Asked {asked}, you left it blank."
        )
    labels = [choice.label for choice in step.chosen]
    verb = "chose" if question.kind == "multiple" else "answered"
    return f"Asked {asked}, you {verb} {_quoted(labels)}."


def read_back(walk: tree_module.Walk) -> list[ReadBack]:
    """Every answer on the walk's path, in order, read back with why it matters."""
    return [
        ReadBack(
            said=said(step),
            reasons=tuple(choice.reason for choice in step.chosen if choice.reason),
        )
        for step in walk.steps
    ]
