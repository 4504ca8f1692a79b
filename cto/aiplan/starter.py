"""The AI plan's starting point (cto/playbooks/aiplan/starter.yaml): default criteria, and the
starter evals and failure modes that an engagement's intake answers and weak audit dimensions
call for. A pure module: parse and select, no ORM."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cto.core.definitions import DefinitionError
from cto.core.rules import rule_holds, rule_problems
from cto.receipts.verdicts import MEASURES, MEASURES_WITH_SUBJECT

COMPARISONS = (">=", ">", "<=", "<", "==")
CADENCES = ("per_commit", "nightly", "per_change")
LOOK_FIRST = (
    "prompt",
    "model",
    "retrieval",
    "permissions",
    "queue",
    "cache",
    "tool_contract",
    "eval",
    "release_gate",
)


class StarterError(DefinitionError):
    """A starter file that does not parse."""


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    label: str
    weight: int
    higher_is_better: bool


@dataclass(frozen=True)
class Proposal:
    """A starter eval or failure mode: its fields as authored, and the rule that picks it."""

    key: str
    when: Mapping[str, Any]
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Starter:
    criteria: tuple[CriterionSpec, ...]
    evals: tuple[Proposal, ...]
    failure_modes: tuple[Proposal, ...]


def parse(data: Any) -> Starter:
    """Build the Starter, or raise StarterError listing every problem."""
    if not isinstance(data, Mapping):
        raise StarterError(["(starter): must be a mapping."])
    problems: list[str] = []
    criteria = []
    for raw in data.get("criteria") or []:
        key = raw.get("key") if isinstance(raw, Mapping) else None
        if not isinstance(key, str) or raw.get("direction") not in ("higher", "lower"):
            problems.append(f"criterion {key!r}: needs a key, a label, a weight and a direction.")
            continue
        weight = raw.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
            problems.append(f"criterion {key}: “weight” is a whole number from 0 to 100.")
            continue
        criteria.append(
            CriterionSpec(key, str(raw.get("label", key)), weight, raw["direction"] == "higher")
        )
    if len({c.key for c in criteria}) != len(criteria):
        problems.append("(criteria): keys must be unique.")

    def proposals(kind: str, required: Sequence[str]) -> tuple[Proposal, ...]:
        found = []
        for raw in data.get(kind) or []:
            key = raw.get("key") if isinstance(raw, Mapping) else None
            where = f"{kind} {key!r}"
            if not isinstance(key, str):
                problems.append(f"{where}: needs a key.")
                continue
            missing = [name for name in required if name not in raw]
            if missing:
                problems.append(f"{where}: missing {', '.join(missing)}.")
            problems.extend(rule_problems(raw.get("when"), where))
            found.append(
                Proposal(
                    key,
                    raw.get("when") or {},
                    {k: v for k, v in raw.items() if k not in ("key", "when")},
                )
            )
        if len({p.key for p in found}) != len(found):
            problems.append(f"({kind}): keys must be unique.")
        return tuple(found)

    evals = proposals(
        "evals", ("name", "behaviour", "metric", "comparison", "threshold", "cadence")
    )
    failure_modes = proposals(
        "failure_modes", ("title", "look_first", "likelihood", "impact", "detection", "mitigation")
    )
    for proposal in evals:
        if proposal.fields.get("comparison") not in COMPARISONS:
            problems.append(
                f"evals {proposal.key!r}: “comparison” is one of {' '.join(COMPARISONS)}."
            )
        if proposal.fields.get("cadence") not in CADENCES:
            problems.append(f"evals {proposal.key!r}: “cadence” is one of {', '.join(CADENCES)}.")
        try:
            Decimal(str(proposal.fields.get("threshold")))
        except InvalidOperation:
            problems.append(f"evals {proposal.key!r}: “threshold” must be a number.")
        measure = proposal.fields.get("measure", "")
        known = [key for key, _ in MEASURES]
        if measure and measure not in known:
            problems.append(f"evals {proposal.key!r}: “measure” is one of {', '.join(known)}.")
        subject = proposal.fields.get("subject", "")
        if not isinstance(subject, str) or (measure in MEASURES_WITH_SUBJECT and not subject):
            problems.append(
                f"evals {proposal.key!r}: “subject” names the scorer, metric or spans "
                f"{measure} reads."
            )
    for proposal in failure_modes:
        if proposal.fields.get("look_first") not in LOOK_FIRST:
            problems.append(
                f"failure_modes {proposal.key!r}: “look_first” is one of {', '.join(LOOK_FIRST)}."
            )
        for name in ("likelihood", "impact"):
            if proposal.fields.get(name) not in (1, 2, 3, 4, 5):
                problems.append(f"failure_modes {proposal.key!r}: “{name}” is 1 to 5.")
    if problems:
        raise StarterError(problems)
    return Starter(tuple(criteria), evals, failure_modes)


def select(
    starter: Starter, intake: Mapping[str, Sequence[str]], weak: set[str]
) -> tuple[list[Proposal], list[Proposal]]:
    """The starter evals and failure modes this engagement calls for."""
    return (
        [p for p in starter.evals if rule_holds(p.when, intake, weak)],
        [p for p in starter.failure_modes if rule_holds(p.when, intake, weak)],
    )
