"""Scores, red flags, recommendations and deltas of an audit: pure functions of the answers.

Answers map a question id to a maturity level 0-4, or to ``NOT_APPLICABLE``. A question with
no entry is unanswered: shown as such, never counted as zero. A dimension's score is its points
over the maximum of its answered, applicable questions; the overall score weighs the dimensions
that have a score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cto.audits.definition import (
    CISCO_PILLARS,
    NIST_FUNCTIONS,
    AllOf,
    AnswerLevel,
    AnyOf,
    AuditTemplate,
    Band,
    Condition,
    Dimension,
    DimensionBelow,
    IntakeChoice,
    RedFlagRule,
)

NOT_APPLICABLE = "na"
MAX_LEVEL = 4
Answer = int | str  # a level 0-4, or NOT_APPLICABLE


@dataclass(frozen=True)
class Tally:
    """Points and counts behind one score (a dimension, a NIST function, a Cisco pillar)."""

    key: str
    label: str
    raw: int
    applicable_max: int
    answered: int
    not_applicable: int
    skipped: int  # unanswered

    @property
    def score(self) -> float | None:
        """0-100, or None when nothing applicable was answered."""
        if not self.applicable_max:
            return None
        return round(100 * self.raw / self.applicable_max, 1)


@dataclass(frozen=True)
class DimensionScore:
    dimension: Dimension
    tally: Tally

    @property
    def score(self) -> float | None:
        return self.tally.score


@dataclass(frozen=True)
class AuditScore:
    dimensions: tuple[DimensionScore, ...]
    overall: float | None
    band: Band | None
    nist: tuple[Tally, ...]
    cisco: tuple[Tally, ...]
    answered: int  # levels and N/A
    total: int

    def for_dimension(self, dimension_id: str) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.dimension.id == dimension_id), None)

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def _tally(
    key: str, label: str, question_ids: Sequence[str], answers: Mapping[str, Answer]
) -> Tally:
    raw = answered = not_applicable = skipped = 0
    for question_id in question_ids:
        answer = answers.get(question_id)
        if answer is None:
            skipped += 1
        elif answer == NOT_APPLICABLE:
            not_applicable += 1
        else:
            raw += int(answer)
            answered += 1
    return Tally(key, label, raw, answered * MAX_LEVEL, answered, not_applicable, skipped)


def score(template: AuditTemplate, answers: Mapping[str, Answer]) -> AuditScore:
    """Every score of the audit, from its answers alone."""
    dimensions = tuple(
        DimensionScore(d, _tally(d.id, d.title, [q.id for q in d.questions], answers))
        for d in template.dimensions
    )
    scored = [(d.dimension.weight, d.score) for d in dimensions if d.score is not None]
    weight = sum(w for w, _ in scored)
    overall = round(sum(w * s for w, s in scored) / weight, 1) if weight else None
    questions = template.questions.values()

    def rollup(attribute: str, keys: Sequence[str]) -> tuple[Tally, ...]:
        return tuple(
            _tally(
                key,
                key.capitalize(),
                [q.id for q in questions if getattr(q, attribute) == key],
                answers,
            )
            for key in keys
            if any(getattr(q, attribute) == key for q in questions)
        )

    return AuditScore(
        dimensions=dimensions,
        overall=overall,
        band=template.band_for(overall) if overall is not None else None,
        nist=rollup("nist", NIST_FUNCTIONS),
        cisco=rollup("cisco", CISCO_PILLARS),
        answered=sum(1 for q in questions if q.id in answers),
        total=len(template.questions),
    )


# --- Red flags ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiredFlag:
    rule: RedFlagRule
    because: tuple[str, ...]  # each condition that held, in words


def _holds(
    condition: Condition,
    template: AuditTemplate,
    answers: Mapping[str, Answer],
    scores: AuditScore,
    intake: Mapping[str, Sequence[str]],
) -> list[str] | None:
    """The reasons ``condition`` holds, or None when it does not."""
    if isinstance(condition, AllOf):
        reasons: list[str] = []
        for item in condition.items:
            found = _holds(item, template, answers, scores, intake)
            if found is None:
                return None
            reasons += found
        return reasons
    if isinstance(condition, AnyOf):
        reasons = []
        for item in condition.items:
            found = _holds(item, template, answers, scores, intake)
            if found is not None:
                reasons += found
        return reasons or None
    if isinstance(condition, AnswerLevel):
        answer = answers.get(condition.question)
        if answer is None or answer == NOT_APPLICABLE:
            return None
        level = int(answer)
        if condition.at_most is not None and level > condition.at_most:
            return None
        if condition.at_least is not None and level < condition.at_least:
            return None
        question = template.questions[condition.question]
        return [f"“{question.text}” is at level {level} of 4."]
    if isinstance(condition, DimensionBelow):
        dimension = scores.for_dimension(condition.dimension)
        if dimension is None or dimension.score is None or dimension.score >= condition.below:
            return None
        return [
            f"{dimension.dimension.title} scores {dimension.score:g} (below {condition.below:g})."
        ]
    if isinstance(condition, IntakeChoice):
        if condition.choice not in intake.get(condition.node, ()):
            return None
        return [f"In the intake, the answer to “{condition.node}” was “{condition.choice}”."]
    return None  # pragma: no cover - parse() admits no other kind


def red_flags(
    template: AuditTemplate,
    answers: Mapping[str, Answer],
    scores: AuditScore,
    intake: Mapping[str, Sequence[str]] | None = None,
) -> list[FiredFlag]:
    """The template's red-flag rules that fire, each with why."""
    fired = []
    for rule in template.red_flags:
        reasons = _holds(rule.when, template, answers, scores, intake or {})
        if reasons is not None:
            fired.append(FiredFlag(rule, tuple(dict.fromkeys(reasons))))
    return fired


# --- Recommendations and progress -------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    dimension: Dimension
    score: float
    priority: float  # weight times the gap to 100: what to work on first


def recommendations(template: AuditTemplate, scores: AuditScore) -> list[Recommendation]:
    """The weak dimensions' recommendations, most urgent first (weight times gap)."""
    found = [
        Recommendation(d.dimension, d.score, round(d.dimension.weight * (100 - d.score), 1))
        for d in scores.dimensions
        if d.score is not None and d.score < template.weak_below
    ]
    return sorted(found, key=lambda r: (-r.priority, r.dimension.id))


@dataclass(frozen=True)
class Delta:
    key: str
    label: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


def compare(before: AuditScore, after: AuditScore) -> list[Delta]:
    """Dimension by dimension (and overall), how the newer audit moved from the older one."""
    earlier = {d.dimension.id: d.score for d in before.dimensions}
    deltas = [
        Delta(d.dimension.id, d.dimension.title, earlier.get(d.dimension.id), d.score)
        for d in after.dimensions
    ]
    return [Delta("overall", "Overall", before.overall, after.overall), *deltas]
