"""What each intake screen shows, decided from the tree and the answers alone: the progress of a
question and the question before it, or the result with the reasons that led to it and the red
flags that apply. Pure: no request, no database; the views turn nodes into URLs."""

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
class ResultScreen:
    outcome: tree_module.Outcome
    reasons: list[tuple[tree_module.Step, tree_module.Choice]]
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
    return ResultScreen(
        outcome=walk.outcome,
        reasons=walk.reasons,
        scope_rows=[(row, row.id in highlighted) for row in tree.scope_rows],
        red_flags=[flag for flag in tree.red_flags if flag.applies_to in audience],
        change=walk.steps[-1].question.id if walk.steps else tree.start,
    )
