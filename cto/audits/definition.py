"""Audit template definitions (content templates, not Django templates): parsing and validating
the authored YAML into dataclasses.

A pure module: no ORM, no I/O. ``parse`` reports every problem at once, each with the
dimension, question or rule it concerns, or returns an ``AuditTemplate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cto.core.definitions import DefinitionError

NIST_FUNCTIONS = ("govern", "map", "measure", "manage")
CISCO_PILLARS = ("strategy", "infrastructure", "data", "governance", "talent", "culture")
LEVELS = 5  # maturity 0 to 4
MIN_QUESTIONS, MAX_QUESTIONS = 3, 6


class TemplateError(DefinitionError):
    """An audit template that does not parse."""


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    nist: str
    cisco: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    weight: int
    summary: str
    recommendation: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    min: float
    summary: str


# Red-flag conditions: a small declarative language over answers, scores and the intake.
@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnswerLevel:
    question: str
    at_most: int | None = None
    at_least: int | None = None


@dataclass(frozen=True)
class DimensionBelow:
    dimension: str
    below: float


@dataclass(frozen=True)
class IntakeChoice:
    node: str
    choice: str


Condition = AllOf | AnyOf | AnswerLevel | DimensionBelow | IntakeChoice


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    title: str
    when: Condition
    why: str
    first_step: str


@dataclass(frozen=True)
class AuditTemplate:
    slug: str
    title: str
    weights_total: int
    weak_below: float
    bands: tuple[Band, ...]
    dimensions: tuple[Dimension, ...]
    red_flags: tuple[RedFlagRule, ...]

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for dimension in self.dimensions for q in dimension.questions}

    def dimension(self, dimension_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def band_for(self, score: float) -> Band:
        chosen = self.bands[0]
        for band in self.bands:
            if score >= band.min:
                chosen = band
        return chosen


def _text(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: “{key}” must be a non-empty text.")
        return ""
    return value.strip()


def _number(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}: “{key}” must be a number.")
        return 0
    return value


def parse(data: Any) -> AuditTemplate:
    """Build an AuditTemplate, or raise TemplateError listing every problem."""
    if not isinstance(data, Mapping):
        raise TemplateError(["(template): must be a mapping with “dimensions”."])
    problems: list[str] = []
    slug = _text(data, "slug", "(template)", problems)
    title = _text(data, "title", "(template)", problems)
    weights_total = _number(data, "weights_total", "(template)", problems)
    weak_below = _number(data, "weak_below", "(template)", problems)

    bands = tuple(
        Band(
            key=_text(raw, "key", "(bands)", problems),
            label=_text(raw, "label", "(bands)", problems),
            min=_number(raw, "min", "(bands)", problems),
            summary=str(raw.get("summary", "")),
        )
        for raw in data.get("bands") or []
        if isinstance(raw, Mapping)
    )
    if not bands:
        problems.append("(bands): at least one band is needed.")
    elif bands[0].min != 0 or [b.min for b in bands] != sorted({b.min for b in bands}):
        problems.append("(bands): the first band starts at 0 and each starts above the last.")

    dimensions: list[Dimension] = []
    seen_questions: set[str] = set()
    for raw in data.get("dimensions") or []:
        dimension = _parse_dimension(raw, seen_questions, problems)
        if dimension is None:
            continue
        if any(d.id == dimension.id for d in dimensions):
            problems.append(f"{dimension.id}: this dimension id is used twice.")
            continue
        dimensions.append(dimension)
    if not dimensions:
        problems.append("(dimensions): at least one dimension is needed.")
    total = sum(d.weight for d in dimensions)
    if dimensions and total != weights_total:
        problems.append(
            f"(dimensions): the weights add up to {total}, but the template declares "
            f"weights_total {weights_total}."
        )

    question_ids = {q.id for d in dimensions for q in d.questions}
    dimension_ids = {d.id for d in dimensions}
    rules: list[RedFlagRule] = []
    for raw in data.get("red_flags") or []:
        if not isinstance(raw, Mapping):
            problems.append("(red_flags): each rule must be a mapping.")
            continue
        rule_id = _text(raw, "id", "(red_flags)", problems)
        where = f"red flag {rule_id or '?'}"
        when = _parse_condition(raw.get("when"), where, question_ids, dimension_ids, problems)
        rules.append(
            RedFlagRule(
                id=rule_id,
                title=_text(raw, "title", where, problems),
                when=when,
                why=_text(raw, "why", where, problems),
                first_step=_text(raw, "first_step", where, problems),
            )
        )
    if len({rule.id for rule in rules}) != len(rules):
        problems.append("(red_flags): rule ids must be unique.")

    if problems:
        raise TemplateError(problems)
    return AuditTemplate(
        slug=slug,
        title=title,
        weights_total=int(weights_total),
        weak_below=weak_below,
        bands=bands,
        dimensions=tuple(dimensions),
        red_flags=tuple(rules),
    )


def _parse_dimension(raw: Any, seen: set[str], problems: list[str]) -> Dimension | None:
    if not isinstance(raw, Mapping):
        problems.append("(dimensions): each dimension must be a mapping.")
        return None
    dimension_id = _text(raw, "id", "(dimensions)", problems)
    where = dimension_id or "(dimension)"
    weight = raw.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
        problems.append(f"{where}: “weight” must be a whole number above 0.")
        weight = 0
    questions: list[Question] = []
    for raw_question in raw.get("questions") or []:
        if not isinstance(raw_question, Mapping):
            problems.append(f"{where}: each question must be a mapping.")
            continue
        question_id = _text(raw_question, "id", where, problems)
        q_where = f"{where}.{question_id or '?'}"
        if question_id in seen:
            problems.append(f"{q_where}: this question id is used twice.")
            continue
        seen.add(question_id)
        nist, cisco = raw_question.get("nist"), raw_question.get("cisco")
        if nist not in NIST_FUNCTIONS:
            problems.append(f"{q_where}: “nist” must be one of {', '.join(NIST_FUNCTIONS)}.")
        if cisco not in CISCO_PILLARS:
            problems.append(f"{q_where}: “cisco” must be one of {', '.join(CISCO_PILLARS)}.")
        levels = raw_question.get("levels")
        if (
            not isinstance(levels, list)
            or len(levels) != LEVELS
            or not all(isinstance(level, str) and level.strip() for level in levels)
        ):
            problems.append(f"{q_where}: “levels” must be {LEVELS} texts, for levels 0 to 4.")
            levels = [""] * LEVELS
        questions.append(
            Question(
                id=question_id,
                dimension=dimension_id,
                text=_text(raw_question, "text", q_where, problems),
                nist=str(nist),
                cisco=str(cisco),
                levels=tuple(str(level).strip() for level in levels),
            )
        )
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        problems.append(
            f"{where}: a dimension has {MIN_QUESTIONS} to {MAX_QUESTIONS} questions "
            f"(it has {len(questions)})."
        )
    return Dimension(
        id=dimension_id,
        title=_text(raw, "title", where, problems),
        weight=weight,
        summary=str(raw.get("summary", "")).strip(),
        recommendation=_text(raw, "recommendation", where, problems),
        questions=tuple(questions),
    )


def _parse_condition(
    raw: Any, where: str, questions: set[str], dimensions: set[str], problems: list[str]
) -> Condition:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        problems.append(f"{where}: a condition is one of all, any, answer, dimension, intake.")
        return AllOf(())
    ((kind, body),) = raw.items()
    if kind in ("all", "any"):
        if not isinstance(body, list) or not body:
            problems.append(f"{where}: “{kind}” needs a non-empty list of conditions.")
            return AllOf(())
        items = tuple(
            _parse_condition(item, where, questions, dimensions, problems) for item in body
        )
        return AllOf(items) if kind == "all" else AnyOf(items)
    if not isinstance(body, Mapping):
        problems.append(f"{where}: “{kind}” needs a mapping.")
        return AllOf(())
    if kind == "answer":
        question = body.get("question")
        if question not in questions:
            problems.append(f"{where}: names the unknown question {question!r}.")
        at_most, at_least = body.get("at_most"), body.get("at_least")
        if (at_most is None) == (at_least is None):
            problems.append(f"{where}: an answer condition has at_most or at_least (one of them).")
        return AnswerLevel(str(question), at_most=at_most, at_least=at_least)
    if kind == "dimension":
        dimension = body.get("id")
        if dimension not in dimensions:
            problems.append(f"{where}: names the unknown dimension {dimension!r}.")
        below = body.get("below")
        if isinstance(below, bool) or not isinstance(below, int | float):
            problems.append(f"{where}: a dimension condition needs a number “below”.")
            below = 0
        return DimensionBelow(str(dimension), float(below))
    if kind == "intake":
        node, choice = body.get("node"), body.get("choice")
        if not isinstance(node, str) or not isinstance(choice, str):
            problems.append(f"{where}: an intake condition needs “node” and “choice”.")
        return IntakeChoice(str(node), str(choice))
    problems.append(f"{where}: unknown condition “{kind}”.")
    return AllOf(())
