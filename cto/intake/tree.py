"""Decision trees: parsing, validation, and walking a set of answers to an outcome.

A pure module: dataclasses in and out, no ORM, no I/O. A tree is authored as a mapping
(YAML in ``cto/playbooks/intake/``); ``parse`` turns it into a ``Tree`` or reports every
problem with the node it concerns; ``walk`` replays answers from the start node, so the
same answers on the same tree version always reach the same outcome.

Answers are stored as ``{node_id: {"choices": [choice ids]}}`` or ``{node_id: {"text": str}}``.
Answers to nodes off the current path are kept (the prospect may come back to them) but never
count: only the walk from the start decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

QuestionKind = Literal["single", "multiple", "yes_no", "text"]
QUESTION_KINDS: tuple[str, ...] = ("single", "multiple", "yes_no", "text")
TEXT_MAX_LENGTH = 2000
ID_MAX_LENGTH = 64


class TreeError(ValueError):
    """The tree is malformed; ``problems`` lists each fault with the node it concerns."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


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


@dataclass
class _Parser:
    problems: list[Problem] = field(default_factory=list)

    def fail(self, node: str, message: str) -> None:
        self.problems.append(Problem(node, message))

    def text(self, raw: Mapping[str, Any], key: str, node: str, *, required: bool = True) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            if required or not isinstance(value, str):
                self.fail(node, f"“{key}” must be {'a non-empty' if required else 'a'} text.")
            return ""
        return value.strip()

    def ident(self, value: Any, node: str, what: str) -> str:
        if (
            not isinstance(value, str)
            or not value
            or len(value) > ID_MAX_LENGTH
            or not value.replace("_", "").replace("-", "").isalnum()
            or not value.isascii()
        ):
            self.fail(node, f"{what} {value!r} must be letters, digits, - or _ (at most 64).")
            return ""
        return value

    def strings(self, raw: Any, node: str, key: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            self.fail(node, f"“{key}” must be a list of texts.")
            return ()
        return tuple(item.strip() for item in raw)


def parse(data: Any) -> Tree:
    """Build a Tree from its authored form, or raise TreeError listing every problem."""
    parser = _Parser()
    if not isinstance(data, Mapping):
        raise TreeError([Problem("(tree)", "A tree must be a mapping with “start” and “nodes”.")])
    slug = parser.ident(data.get("slug"), "(tree)", "The slug")
    title = parser.text(data, "title", "(tree)")
    start = data.get("start")
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        parser.fail("(tree)", "“nodes” must be a non-empty list.")
        raw_nodes = []

    questions: dict[str, Question] = {}
    outcomes: dict[str, Outcome] = {}
    for index, raw in enumerate(raw_nodes):
        if not isinstance(raw, Mapping):
            parser.fail(f"(node {index + 1})", "Each node must be a mapping.")
            continue
        node_id = parser.ident(raw.get("id"), f"(node {index + 1})", "The node id")
        if not node_id:
            continue
        if node_id in questions or node_id in outcomes:
            parser.fail(node_id, "This id is used by more than one node.")
            continue
        if raw.get("type", "question") == "outcome":
            outcomes[node_id] = _parse_outcome(parser, raw, node_id)
        else:
            question = _parse_question(parser, raw, node_id)
            if question is not None:
                questions[node_id] = question

    scope_rows = _parse_scope_rows(parser, data.get("scope_rows"))
    red_flags = _parse_red_flags(parser, data.get("red_flags"))
    if parser.problems:
        raise TreeError(parser.problems)
    tree = Tree(
        slug=slug,
        title=title,
        start=start if isinstance(start, str) else "",
        questions=questions,
        outcomes=outcomes,
        scope_rows=scope_rows,
        red_flags=red_flags,
    )
    problems = validate(tree)
    if problems:
        raise TreeError(problems)
    return tree


def _parse_question(parser: _Parser, raw: Mapping[str, Any], node_id: str) -> Question | None:
    kind = raw.get("type", "single")
    if kind not in QUESTION_KINDS:
        parser.fail(
            node_id, f"Unknown question type {kind!r}; use one of {', '.join(QUESTION_KINDS)}."
        )
        return None
    prompt = parser.text(raw, "prompt", node_id)
    help_text = parser.text(raw, "help", node_id, required=False)
    raw_choices = raw.get("choices") or []
    if kind == "yes_no" and not raw_choices:
        raw_choices = [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]
    choices: list[Choice] = []
    if not isinstance(raw_choices, list):
        parser.fail(node_id, "“choices” must be a list.")
        raw_choices = []
    for raw_choice in raw_choices:
        if not isinstance(raw_choice, Mapping):
            parser.fail(node_id, "Each choice must be a mapping with an id and a label.")
            continue
        choice_id = parser.ident(raw_choice.get("id"), node_id, "The choice id")
        if choice_id and any(choice.id == choice_id for choice in choices):
            parser.fail(node_id, f"The choice id “{choice_id}” is used twice.")
            continue
        choices.append(
            Choice(
                id=choice_id,
                label=parser.text(raw_choice, "label", node_id),
                next=raw_choice.get("next"),
                reason=parser.text(raw_choice, "reason", node_id, required=False),
                highlights=parser.strings(raw_choice.get("highlights"), node_id, "highlights"),
            )
        )
    routes: list[Route] = []
    for raw_route in raw.get("routes") or []:
        if not isinstance(raw_route, Mapping):
            parser.fail(node_id, "Each route must be a mapping with “when_any” and “next”.")
            continue
        routes.append(
            Route(
                when_any=parser.strings(raw_route.get("when_any"), node_id, "when_any"),
                next=raw_route.get("next", ""),
            )
        )
    max_length = raw.get("max_length", TEXT_MAX_LENGTH)
    if not isinstance(max_length, int) or not 1 <= max_length <= TEXT_MAX_LENGTH:
        parser.fail(node_id, f"“max_length” must be a whole number from 1 to {TEXT_MAX_LENGTH}.")
        max_length = TEXT_MAX_LENGTH
    return Question(
        id=node_id,
        kind=kind,
        prompt=prompt,
        help=help_text,
        choices=tuple(choices),
        next=raw.get("next"),
        routes=tuple(routes),
        optional=bool(raw.get("optional", False)),
        max_length=max_length,
    )


def _parse_outcome(parser: _Parser, raw: Mapping[str, Any], node_id: str) -> Outcome:
    kind = raw.get("engagement_kind")
    if kind not in ("generic", "ai"):
        parser.fail(node_id, "“engagement_kind” must be “generic” or “ai”.")
    return Outcome(
        id=node_id,
        key=parser.ident(raw.get("key"), node_id, "The outcome key"),
        engagement_kind=kind if isinstance(kind, str) else "",
        title=parser.text(raw, "title", node_id),
        summary=parser.text(raw, "summary", node_id),
        week_one=parser.strings(raw.get("week_one"), node_id, "week_one"),
    )


def _parse_scope_rows(parser: _Parser, raw: Any) -> tuple[ScopeRow, ...]:
    rows: list[ScopeRow] = []
    for item in raw or []:
        if not isinstance(item, Mapping):
            parser.fail("(scope_rows)", "Each scope row must be a mapping.")
            continue
        rows.append(
            ScopeRow(
                id=parser.ident(item.get("id"), "(scope_rows)", "The scope row id"),
                area=parser.text(item, "area", "(scope_rows)"),
                generic=parser.text(item, "generic", "(scope_rows)"),
                ai=parser.text(item, "ai", "(scope_rows)"),
            )
        )
    return tuple(rows)


def _parse_red_flags(parser: _Parser, raw: Any) -> tuple[RedFlag, ...]:
    flags: list[RedFlag] = []
    for item in raw or []:
        if not isinstance(item, Mapping) or item.get("applies_to") not in ("generic", "ai", "both"):
            parser.fail(
                "(red_flags)", "Each red flag needs “applies_to” (generic, ai, both) and “text”."
            )
            continue
        flags.append(
            RedFlag(applies_to=item["applies_to"], text=parser.text(item, "text", "(red_flags)"))
        )
    return tuple(flags)


def validate(tree: Tree) -> list[Problem]:
    """Every structural fault of a parsed tree, each with its node id; empty when sound.

    Checks: the start exists; no dangling targets; each question has a way on and its
    choices fit its type; routes name real choices; every node is reachable from the start;
    no cycles (so every walk ends); every path ends in an outcome; scope-row references exist.
    """
    problems: list[Problem] = []
    nodes: dict[str, Question | Outcome] = {**tree.questions, **tree.outcomes}
    if tree.start not in nodes:
        problems.append(Problem("(tree)", f"The start node {tree.start!r} does not exist."))
    if not tree.outcomes:
        problems.append(Problem("(tree)", "The tree has no outcome."))
    row_ids = {row.id for row in tree.scope_rows}

    for question in tree.questions.values():
        problems += _question_problems(question, nodes, row_ids)

    if tree.start in nodes:
        reachable = _reachable(tree)
        for node_id in nodes:
            if node_id not in reachable:
                problems.append(Problem(node_id, "Not reachable from the start."))
        cycle = _find_cycle(tree)
        if cycle:
            problems.append(Problem(cycle[0], f"Cycle: {' → '.join(cycle)}."))
    return problems


def _question_problems(
    question: Question, nodes: Mapping[str, Question | Outcome], row_ids: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    node = question.id

    def add(message: str) -> None:
        problems.append(Problem(node, message))

    if question.kind == "text":
        if question.choices:
            add("A text question has no choices.")
        if not question.next:
            add("A text question needs “next”.")
    elif len(question.choices) < 2:
        add("A choice question needs at least two choices.")
    if question.kind == "yes_no" and {choice.id for choice in question.choices} != {"yes", "no"}:
        add("A yes/no question has exactly the choices “yes” and “no”.")
    if question.kind in ("single", "yes_no"):
        for choice in question.choices:
            if not (choice.next or question.next):
                add(f"The choice “{choice.id}” leads nowhere (no “next” on it or the question).")
        if question.routes:
            add("Routes are for multiple-choice questions; give each choice its own “next”.")
    if question.kind == "multiple":
        if any(choice.next for choice in question.choices):
            add("Choices of a multiple-choice question lead on through “routes” and “next”.")
        if not question.next:
            add("A multiple-choice question needs “next” for when no route applies.")
        choice_ids = {choice.id for choice in question.choices}
        for route in question.routes:
            if not route.when_any:
                add("A route needs at least one choice in “when_any”.")
            for choice_id in route.when_any:
                if choice_id not in choice_ids:
                    add(f"A route names the unknown choice “{choice_id}”.")
    for target in question.targets():
        if not isinstance(target, str) or target not in nodes:
            add(f"Leads to {target!r}, which is not a node.")
        elif target == node:
            add("Leads to itself.")
    for choice in question.choices:
        for row in choice.highlights:
            if row not in row_ids:
                add(f"The choice “{choice.id}” highlights the unknown scope row “{row}”.")
    return problems


def _edges(tree: Tree, node_id: str) -> list[str]:
    question = tree.questions.get(node_id)
    if question is None:
        return []
    return [
        target for target in question.targets() if isinstance(target, str) and tree.node(target)
    ]


def _reachable(tree: Tree) -> set[str]:
    seen: set[str] = set()
    stack = [tree.start]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(_edges(tree, node_id))
    return seen


def _find_cycle(tree: Tree) -> list[str] | None:
    """A cycle reachable from the start, as the node ids around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    trail: list[str] = []

    def visit(node_id: str) -> list[str] | None:
        state[node_id] = 1
        trail.append(node_id)
        for target in _edges(tree, node_id):
            if state.get(target) == 1:
                return [*trail[trail.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        trail.pop()
        state[node_id] = 2
        return None

    return visit(tree.start)


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
            memo[current] = 1 + max(
                (longest(target) for target in _edges(tree, current)), default=0
            )
        return memo[current]

    return longest(node_id)


def progress(walk_: Walk, current: str, tree: Tree) -> tuple[int, int]:
    """(questions behind, questions in all) for the node ``current`` on the walk's path.

    The total counts the answered questions plus, past the frontier, the most questions that
    can still come; on the outcome both numbers are equal."""
    position = walk_.path.index(current)
    tail = most_remaining(tree, walk_.frontier.id) if walk_.frontier else 0
    return position, len(walk_.steps) + tail
