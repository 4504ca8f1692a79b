"""The stages of an engagement and which moves between them are allowed.

A pure module: no ORM, no I/O. The transition service asks it before it writes anything.
"""

from __future__ import annotations

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
