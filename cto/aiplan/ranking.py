"""The AI plan's computations: the weighted model/vendor ranking with its sensitivity, eval
gate verdicts and failure-mode risk. A pure module: dataclasses in and out, no ORM.

A cell score runs 1 to 5 on the criterion's own scale (1 = the least of it, 5 = the most);
the criterion's direction says which end is good. Each score becomes a utility from 0 to 1,
weighted, and a candidate's total is the weighted mean times 100. An unscored cell counts as
the worst (utility 0) and is listed, so a gap in the matrix never flatters a candidate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

SCORE_MIN, SCORE_MAX = 1, 5
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    weight: float
    higher_is_better: bool = True


@dataclass(frozen=True)
class Candidate:
    key: str
    label: str


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    total: float  # 0-100
    position: int  # 1 = best; tied candidates share a position
    tied: bool
    unscored: tuple[str, ...]  # criterion keys with no score


@dataclass(frozen=True)
class Flip:
    """The smallest single weight change that would put the runner-up first."""

    criterion: Criterion
    new_weight: float  # strictly beyond this, the order flips

    @property
    def raise_weight(self) -> bool:
        return self.new_weight > self.criterion.weight


@dataclass(frozen=True)
class Ranking:
    rows: tuple[Ranked, ...]
    flip: Flip | None  # None when there are fewer than two, they tie, or no single weight can

    @property
    def sensitivity(self) -> str:
        """One line on how robust the top choice is."""
        if len(self.rows) < 2:
            return "There is nothing to compare yet: add at least two candidates."
        first, second = self.rows[0], self.rows[1]
        if first.tied and second.tied and first.position == second.position:
            return f"{first.candidate.label} and {second.candidate.label} are tied."
        if self.flip is None:
            return (
                f"No change to a single weight would put {second.candidate.label} "
                f"ahead of {first.candidate.label}."
            )
        verb = "Raising" if self.flip.raise_weight else "Lowering"
        beyond = "above" if self.flip.raise_weight else "below"
        return (
            f"{verb} the weight of {self.flip.criterion.label} from "
            f"{_num(self.flip.criterion.weight)} to {beyond} {_num(self.flip.new_weight)} "
            f"would put {second.candidate.label} ahead of {first.candidate.label}."
        )


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def utility(score: int | None, criterion: Criterion) -> float:
    """A 1-5 score as 0-1, best = 1, whichever way the criterion runs; no score = 0."""
    if score is None:
        return 0.0
    fraction = (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)
    return fraction if criterion.higher_is_better else 1 - fraction


def best_score(scores: Iterable[int], criterion: Criterion) -> int | None:
    """The best of a criterion's scores by its direction (the highest, or the lowest where lower
    is better), so a reader need not turn the scale round; None when nothing stands out (no
    scores, or all the same)."""
    present = set(scores)
    if len(present) < 2:
        return None
    return max(present, key=lambda score: utility(score, criterion))


def rank(
    candidates: Sequence[Candidate],
    criteria: Sequence[Criterion],
    scores: Mapping[tuple[str, str], int],
) -> Ranking:
    """Order the candidates by weighted total, ties sharing a position, and find the weight
    change that would swap the top two."""
    total_weight = sum(c.weight for c in criteria)
    utilities = {
        candidate.key: {c.key: utility(scores.get((candidate.key, c.key)), c) for c in criteria}
        for candidate in candidates
    }

    def total(candidate: Candidate) -> float:
        if total_weight <= 0:
            return 0.0
        weighted = sum(c.weight * utilities[candidate.key][c.key] for c in criteria)
        return 100 * weighted / total_weight

    totals = {candidate.key: total(candidate) for candidate in candidates}
    ordered = sorted(candidates, key=lambda c: (-totals[c.key], c.label.lower(), c.key))
    rows: list[Ranked] = []
    for candidate in ordered:
        same = [o for o in ordered if abs(totals[o.key] - totals[candidate.key]) <= TIE_TOLERANCE]
        rows.append(
            Ranked(
                candidate=candidate,
                total=round(totals[candidate.key], 2),
                position=1 + ordered.index(same[0]),  # tied candidates share the first place
                tied=len(same) > 1,
                unscored=tuple(c.key for c in criteria if (candidate.key, c.key) not in scores),
            )
        )
    flip = None
    if len(ordered) >= 2 and not rows[1].tied:
        flip = _smallest_flip(criteria, utilities[ordered[0].key], utilities[ordered[1].key])
    return Ranking(tuple(rows), flip)


def _smallest_flip(
    criteria: Sequence[Criterion], first: Mapping[str, float], second: Mapping[str, float]
) -> Flip | None:
    """The first leads by N = sum(w_i * d_i), d_i = u_first,i - u_second,i. Changing one weight
    w_k by delta changes the lead by delta * d_k, so the order flips past delta = -N / d_k;
    a lowered weight must be able to go below that point without going below 0. The smallest
    such change wins."""
    lead = sum(c.weight * (first[c.key] - second[c.key]) for c in criteria)
    best: Flip | None = None
    for criterion in criteria:
        gap = first[criterion.key] - second[criterion.key]
        if gap == 0:
            continue
        new_weight = criterion.weight - lead / gap
        if new_weight < criterion.weight and new_weight <= 0:
            continue  # lowering would have to go strictly below zero: weights cannot
        if best is None or abs(new_weight - criterion.weight) < abs(
            best.new_weight - best.criterion.weight
        ):
            best = Flip(criterion, round(new_weight, 4))
    return best


# --- Eval gates ---------------------------------------------------------------------------------

COMPARISONS = {
    ">=": ("at least", lambda value, threshold: value >= threshold),
    ">": ("above", lambda value, threshold: value > threshold),
    "<=": ("at most", lambda value, threshold: value <= threshold),
    "<": ("below", lambda value, threshold: value < threshold),
    "==": ("exactly", lambda value, threshold: value == threshold),
}


def gate_verdict(comparison: str, threshold: Decimal, value: Decimal | None) -> str:
    """ "pass", "fail" or "no result" for a gate's latest result against its threshold."""
    if value is None:
        return "no result"
    _, check = COMPARISONS[comparison]
    return "pass" if check(value, threshold) else "fail"


# --- Failure modes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Risk:
    key: str
    title: str
    likelihood: int  # 1-5
    impact: int  # 1-5

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


def by_risk(risks: Sequence[Risk]) -> list[Risk]:
    """Highest risk first; at equal risk, the worse impact first, then by title."""
    return sorted(risks, key=lambda r: (-r.score, -r.impact, r.title.lower(), r.key))
