"""The parsed decision tree: questions, choices, routes, outcomes, and a walk through them.
Frozen dataclasses, no behaviour beyond reading themselves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cto.core.definitions import DefinitionError

QuestionKind = Literal["single", "multiple", "yes_no", "text"]
QUESTION_KINDS: tuple[str, ...] = ("single", "multiple", "yes_no", "text")
TEXT_MAX_LENGTH = 2000
ID_MAX_LENGTH = 64


class TreeError(DefinitionError):
    """The tree is malformed; ``problems`` lists each fault (a ``Problem``) with its node."""


class AnswerError(ValueError):
    """An answer that does not fit its question; the message can be shown to the user."""


@dataclass(frozen=True)
class Problem:
    node: str  # the node id, or "(tree)" for the tree as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.node}: {self.message}"


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    next: str | None = None
    # Why this answer matters, shown on the result page ("you said ... → ...").
    reason: str = ""
    # Rows of the scope table this answer makes relevant.
    highlights: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """For multiple-choice questions: go to ``next`` when any of ``when_any`` is chosen."""

    when_any: tuple[str, ...]
    next: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    prompt: str
    help: str = ""
    # The question as a sentence names it to the prospect afterwards ("Asked <asked>, you
    # answered …"): "whether agents call tools". Empty: the prompt is quoted instead.
    asked: str = ""
    choices: tuple[Choice, ...] = ()
    next: str | None = None
    routes: tuple[Route, ...] = ()
    optional: bool = False
    max_length: int = TEXT_MAX_LENGTH

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    def targets(self) -> list[str]:
        """Every node this question can lead to."""
        found = [choice.next for choice in self.choices if choice.next]
        found += [route.next for route in self.routes]
        if self.next:
            found.append(self.next)
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Outcome:
    id: str
    key: str  # what the practice recommends: "ai", "generic", "generic_plus_specialist"
    engagement_kind: str  # the Engagement.kind a lead with this outcome gets
    title: str
    summary: str
    week_one: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScopeRow:
    id: str
    area: str
    generic: str
    ai: str


@dataclass(frozen=True)
class RedFlag:
    applies_to: str  # "generic", "ai" or "both"
    text: str


@dataclass(frozen=True)
class Tree:
    slug: str
    title: str
    start: str
    questions: Mapping[str, Question]
    outcomes: Mapping[str, Outcome]
    scope_rows: tuple[ScopeRow, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()

    # most_remaining's answers: the tree never changes once parsed, and a parsed version is
    # kept for the life of the process (cto.core.versioning), so each is worked out once.
    _remaining: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def node(self, node_id: str) -> Question | Outcome | None:
        return self.questions.get(node_id) or self.outcomes.get(node_id)


@dataclass(frozen=True)
class Step:
    """One answered question on the walk."""

    question: Question
    answer: Mapping[str, Any]

    @property
    def chosen(self) -> list[Choice]:
        return [
            choice
            for choice_id in self.answer.get("choices", [])
            if (choice := self.question.choice(choice_id)) is not None
        ]

    @property
    def answer_text(self) -> str:
        if self.question.kind == "text":
            return str(self.answer.get("text", ""))
        return ", ".join(choice.label for choice in self.chosen)


@dataclass(frozen=True)
class Walk:
    """Where a set of answers leads: the answered steps in order, then either the next
    unanswered question (``frontier``) or the ``outcome``."""

    steps: tuple[Step, ...]
    frontier: Question | None = None
    outcome: Outcome | None = None

    @property
    def end(self) -> Question | Outcome:
        """Where the walk stops: the next unanswered question, or the outcome."""
        end = self.outcome or self.frontier
        if end is None:  # walk() always sets one of the two
            raise TreeError([Problem("(walk)", "A walk ends at a question or an outcome.")])
        return end

    @property
    def path(self) -> list[str]:
        """Node ids from the start to the frontier or the outcome."""
        return [*(step.question.id for step in self.steps), self.end.id]

    @property
    def reasons(self) -> list[tuple[Step, Choice]]:
        """The answers that carry a reason: why the recommendation is what it is."""
        return [(step, choice) for step in self.steps for choice in step.chosen if choice.reason]

    @property
    def highlighted_rows(self) -> set[str]:
        return {row for step in self.steps for choice in step.chosen for row in choice.highlights}


def edges(tree: Tree, node_id: str) -> list[str]:
    """The nodes a question can lead to that exist in the tree (none from an outcome)."""
    question = tree.questions.get(node_id)
    if question is None:
        return []
    return [
        target for target in question.targets() if isinstance(target, str) and tree.node(target)
    ]
