"""Proposed failure modes: anyone who may see a plan (a client, an agent through the API or
MCP, later a failing eval case) proposes a failure they saw, with its evidence; an operator
confirms it into the register, with its likelihood and impact, or dismisses it with a reason.
Each step is on the engagement's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cto.aiplan import rows
from cto.aiplan.models import AIPlan, FailureMode, FailureModeProposal
from cto.aiplan.rows import PlanError
from cto.aiplan.starter import LOOK_FIRST
from cto.users.models import User

EVIDENCE_LIMIT = 4000
DECIDED = "This proposal was already {status}; nothing was changed."


@transaction.atomic
def failure_mode_propose(
    *, plan: AIPlan, title: str, look_first: str, evidence: str, by: User | None
) -> FailureModeProposal:
    """Propose a failure mode for ``plan``'s register; it counts nowhere until confirmed."""
    if look_first not in LOOK_FIRST:
        raise PlanError(f"Say where to look first: one of {', '.join(LOOK_FIRST)}.")
    proposal = FailureModeProposal(
        plan=plan,
        title=rows.text(title, "a short name for the failure", required=True, limit=200),
        look_first=look_first,
        evidence=rows.text(evidence, "what was seen", required=True, limit=EVIDENCE_LIMIT),
        proposed_by=by,
    )
    proposal.full_clean()
    proposal.save()
    rows.record(plan, by, f"proposed the failure mode “{proposal.title}”", target=proposal)
    return proposal


def _undecided(
    proposal: FailureModeProposal, expected_version: int | None, by: User
) -> FailureModeProposal:
    """The proposal, locked, if ``by`` may decide it and nobody has yet."""
    if not by.is_staff:
        raise PlanError("Only the practice's operators confirm or dismiss proposals.")
    locked = rows.lock(proposal, expected_version)
    if locked.status != FailureModeProposal.Status.PROPOSED:
        raise PlanError(DECIDED.format(status=locked.get_status_display().lower()))
    return locked


@transaction.atomic
def failure_mode_proposal_confirm(
    *,
    proposal: FailureModeProposal,
    likelihood: int,
    impact: int,
    blocks_production: bool = False,
    owner: str = "",
    expected_version: int | None,
    by: User,
) -> FailureMode:
    """Write the proposal into the register as an open failure mode (operators only), its
    detection and mitigation left for the operator to write; the proposal, with what was seen,
    keeps a link to it."""
    locked = _undecided(proposal, expected_version, by)
    if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
        raise PlanError("Likelihood and impact are whole numbers from 1 to 5.")
    mode = FailureMode(
        plan=locked.plan,
        title=locked.title,
        look_first=locked.look_first,
        likelihood=likelihood,
        impact=impact,
        owner=rows.text(owner, "the owner", limit=120),
        blocks_production=blocks_production,
    )
    mode.full_clean()
    mode.save()
    locked.status, locked.failure_mode = FailureModeProposal.Status.CONFIRMED, mode
    locked.decided_by, locked.decided_at = by, timezone.now()
    rows.save(locked, ["status", "failure_mode", "decided_by", "decided_at", "updated_at"])
    rows.record(
        locked.plan,
        by,
        f"confirmed the proposed failure mode “{mode.title}”",
        target=mode,
        facts={"step": "failure_mode_confirmed", "title": mode.title},
    )
    return mode


@transaction.atomic
def failure_mode_proposal_dismiss(
    *, proposal: FailureModeProposal, reason: str, expected_version: int | None, by: User
) -> FailureModeProposal:
    """Set the proposal aside with a reason (operators only); it stays, dismissed."""
    reason = rows.text(reason, "the reason for dismissing it", required=True)
    locked = _undecided(proposal, expected_version, by)
    locked.status, locked.decision_reason = FailureModeProposal.Status.DISMISSED, reason
    locked.decided_by, locked.decided_at = by, timezone.now()
    rows.save(locked, ["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    rows.record(
        locked.plan, by, f"dismissed the proposed failure mode “{locked.title}”", target=locked
    )
    return locked
