"""The stages of an engagement and which moves between them are allowed.

A pure module: no ORM, no I/O. The transition service asks it before it writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    QUALIFIED = "qualified", "Qualified"
    AUDIT = "audit", "Audit"
    PROPOSAL = "proposal", "Proposal"
    ACTIVE = "active", "Active"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    LOST = "lost", "Lost"
    PAUSED = "paused", "Paused"


# The main line, in order; `lost` and `paused` branch off it.
PIPELINE: tuple[Stage, ...] = (
    Stage.LEAD,
    Stage.QUALIFIED,
    Stage.AUDIT,
    Stage.PROPOSAL,
    Stage.ACTIVE,
    Stage.ONGOING,
    Stage.COMPLETED,
)

# Open stages: work is still to be done, so the engagement can be lost or paused.
OPEN_STAGES: frozenset[Stage] = frozenset(PIPELINE) - {Stage.COMPLETED}

# Stages where no work is expected, so nothing there needs an operator: a lost lead's old quote,
# a paused client's checklist, a completed engagement's leftovers.
RESTING_STAGES: tuple[str, ...] = (Stage.COMPLETED.value, Stage.LOST.value, Stage.PAUSED.value)
# The others, named rather than excluded: the database finds them through the stage index.
WORKING_STAGES: tuple[str, ...] = tuple(
    stage for stage in Stage.values if stage not in RESTING_STAGES
)

# Forward moves along the pipeline. An audit is optional (a generic engagement may go
# straight to a proposal), and an active engagement may finish without an ongoing phase.
_FORWARD: dict[Stage, frozenset[Stage]] = {
    Stage.LEAD: frozenset({Stage.QUALIFIED}),
    Stage.QUALIFIED: frozenset({Stage.AUDIT, Stage.PROPOSAL}),
    Stage.AUDIT: frozenset({Stage.PROPOSAL}),
    Stage.PROPOSAL: frozenset({Stage.ACTIVE}),
    Stage.ACTIVE: frozenset({Stage.ONGOING, Stage.COMPLETED}),
    Stage.ONGOING: frozenset({Stage.COMPLETED}),
    Stage.COMPLETED: frozenset(),
    # A lost lead can be reopened, from the start.
    Stage.LOST: frozenset({Stage.LEAD}),
    # Paused resumes only where it stopped: see `allowed_targets`.
    Stage.PAUSED: frozenset({Stage.LOST}),
}


def allowed_targets(
    current: Stage | str, *, paused_from: Stage | str | None = None
) -> frozenset[Stage]:
    """Every stage an engagement at ``current`` may move to.

    ``paused_from`` is the stage a paused engagement left; it is the only one it may resume to.
    """
    current = Stage(current)
    targets = set(_FORWARD[current])
    if current in OPEN_STAGES:
        targets |= {Stage.LOST, Stage.PAUSED}
    if current == Stage.PAUSED and paused_from:
        targets.add(Stage(paused_from))
    return frozenset(targets)


def transition_problem(
    current: Stage | str, target: Stage | str, *, paused_from: Stage | str | None = None
) -> str | None:
    """Why moving from ``current`` to ``target`` is refused, in words a user can act on;
    ``None`` when the move is allowed."""
    try:
        target = Stage(target)
    except ValueError:
        return f"“{target}” is not a stage."
    current = Stage(current)
    if target == current:
        return f"The engagement is already at stage “{current.label}”."
    allowed = allowed_targets(current, paused_from=paused_from)
    if target in allowed:
        return None
    if not allowed:
        return f"“{current.label}” is a final stage; it cannot move to “{target.label}”."
    options = ", ".join(
        f"“{stage.label}”" for stage in sorted(allowed, key=lambda s: list(Stage).index(s))
    )
    return (
        f"An engagement at “{current.label}” cannot move to “{target.label}”; "
        f"it can move to {options}."
    )


class Side(models.TextChoices):
    CLIENT = "client", "you"
    PRACTICE = "practice", "us"


@dataclass(frozen=True)
class NextStep:
    """What comes next on an engagement and whose move it is (None when nothing is pending)."""

    text: str
    waiting_on: Side | None


def next_step(stage: Stage | str, *, audit_open: bool, quote_to_answer: bool) -> NextStep:
    """The next step the client portal shows, from the stage and what the client has to do:
    an open audit to fill in, a sent quote to answer."""
    stage = Stage(stage)
    if audit_open and stage in (Stage.QUALIFIED, Stage.AUDIT):
        return NextStep(
            "Fill in the readiness audit: each answer is saved as you give it.", Side.CLIENT
        )
    if quote_to_answer and stage in (Stage.AUDIT, Stage.PROPOSAL):
        return NextStep("Read the proposal and accept the option that suits you.", Side.CLIENT)
    return {
        Stage.LEAD: NextStep(
            "We review your answers and reply within two working days.", Side.PRACTICE
        ),
        Stage.QUALIFIED: NextStep("We open the readiness audit.", Side.PRACTICE),
        Stage.AUDIT: NextStep("We review the audit and prepare the proposal.", Side.PRACTICE),
        Stage.PROPOSAL: NextStep("We prepare the proposal.", Side.PRACTICE),
        Stage.ACTIVE: NextStep(
            "Week one is under way: the checklist shows which items are yours and which ours.",
            None,
        ),
        Stage.ONGOING: NextStep("We work through the plan; the timeline shows each step.", None),
        Stage.COMPLETED: NextStep("The engagement is complete.", None),
        Stage.PAUSED: NextStep("The engagement is paused until we agree to resume it.", None),
        Stage.LOST: NextStep("The engagement is closed.", None),
    }[stage]
