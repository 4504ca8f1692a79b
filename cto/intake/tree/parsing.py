"""Parsing an authored tree into a ``Tree`` and validating it: every problem reported at once,
each with the node it concerns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cto.intake.tree.model import (
    ID_MAX_LENGTH,
    QUESTION_KINDS,
    TEXT_MAX_LENGTH,
    Choice,
    Outcome,
    Problem,
    Question,
    RedFlag,
    Route,
    ScopeRow,
    Tree,
    TreeError,
    edges,
)


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
    asked = parser.text(raw, "asked", node_id, required=False)
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
        asked=asked,
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


def _reachable(tree: Tree) -> set[str]:
    seen: set[str] = set()
    stack = [tree.start]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(edges(tree, node_id))
    return seen


def _find_cycle(tree: Tree) -> list[str] | None:
    """A cycle reachable from the start, as the node ids around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    trail: list[str] = []

    def visit(node_id: str) -> list[str] | None:
        state[node_id] = 1
        trail.append(node_id)
        for target in edges(tree, node_id):
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
