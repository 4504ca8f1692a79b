"""The tracker and the next step, for each combination of stage, audit and quote. Pure: no
database."""

from __future__ import annotations

import itertools

import pytest

from cto.engagements.progress import (
    AuditState,
    ProgressState,
    QuoteState,
    Side,
    StepStatus,
    Target,
    progress,
)
from cto.engagements.stages import PIPELINE, Stage

S, A, Q = Stage, AuditState, QuoteState
D, C, K, U = StepStatus.DONE, StepStatus.CURRENT, StepStatus.SKIPPED, StepStatus.UPCOMING

# The moves each stage's ordinary path made, as the transition service records them.
ORDINARY_PATH: dict[Stage, tuple[Stage, ...]] = {
    S.LEAD: (),
    S.QUALIFIED: (S.QUALIFIED,),
    S.AUDIT: (S.QUALIFIED, S.AUDIT),
    S.PROPOSAL: (S.QUALIFIED, S.AUDIT, S.PROPOSAL),
    S.ACTIVE: (S.QUALIFIED, S.AUDIT, S.PROPOSAL, S.ACTIVE),
    S.ONGOING: (S.QUALIFIED, S.AUDIT, S.PROPOSAL, S.ACTIVE, S.ONGOING),
    S.COMPLETED: (S.QUALIFIED, S.AUDIT, S.PROPOSAL, S.ACTIVE, S.ONGOING, S.COMPLETED),
}


def state(stage: Stage, **facts: object) -> ProgressState:
    facts.setdefault("stages_entered", ORDINARY_PATH.get(stage, ()))
    facts.setdefault("from_intake", True)
    return ProgressState(stage=stage, **facts)  # type: ignore[arg-type]  # the test's own kwargs


def tracker(result_state: ProgressState) -> str:
    """The tracker as one letter a stage: Done, Current, sKipped, Upcoming."""
    letters = {D: "D", C: "C", K: "K", U: "U"}
    return "".join(letters[step.status] for step in progress(result_state).steps)


# (state, tracker, waiting on, target, words the next step says)
CASES = [
    # Each stage's ordinary case.
    (state(S.LEAD), "CUUUUUU", Side.PRACTICE, None, "review your intake answers"),
    (state(S.LEAD, from_intake=False), "CUUUUUU", Side.PRACTICE, None, "get in touch"),
    (state(S.QUALIFIED), "DCUUUUU", Side.PRACTICE, None, "open the readiness audit"),
    (state(S.AUDIT, audit=A.OPEN), "DDCUUUU", Side.CLIENT, Target.AUDIT, "Fill in the readiness"),
    (state(S.AUDIT, audit=A.ANSWERED), "DDCUUUU", Side.PRACTICE, Target.AUDIT, "review your audit"),
    (
        state(S.AUDIT, audit=A.LOCKED),
        "DDCUUUU",
        Side.PRACTICE,
        Target.AUDIT,
        "prepare the proposal",
    ),
    (state(S.AUDIT), "DDCUUUU", Side.PRACTICE, None, "open the readiness audit"),
    (state(S.PROPOSAL, audit=A.LOCKED), "DDDCUUU", Side.PRACTICE, None, "We prepare the proposal"),
    (
        state(S.PROPOSAL, audit=A.LOCKED, quote=Q.SENT),
        "DDDCUUU",
        Side.CLIENT,
        Target.QUOTE,
        "accept the option",
    ),
    (
        state(S.PROPOSAL, audit=A.LOCKED, quote=Q.DECLINED),
        "DDDCUUU",
        Side.PRACTICE,
        Target.QUOTE,
        "You declined the proposal",
    ),
    (
        state(S.PROPOSAL, audit=A.LOCKED, quote=Q.EXPIRED),
        "DDDCUUU",
        Side.PRACTICE,
        Target.QUOTE,
        "send you a fresh one",
    ),
    (
        state(S.ACTIVE, audit=A.LOCKED, quote=Q.ACCEPTED),
        "DDDDCUU",
        Side.PRACTICE,
        None,
        "set up the week-one checklist",
    ),
    (
        state(
            S.ACTIVE,
            audit=A.LOCKED,
            quote=Q.ACCEPTED,
            checklist_applied=True,
            client_items_open=3,
            practice_items_open=2,
        ),
        "DDDDCUU",
        Side.CLIENT,
        Target.CHECKLIST,
        "your 3 open items",
    ),
    (
        state(
            S.ACTIVE, audit=A.LOCKED, quote=Q.ACCEPTED, checklist_applied=True, client_items_open=1
        ),
        "DDDDCUU",
        Side.CLIENT,
        Target.CHECKLIST,
        "your open item on",
    ),
    (
        state(
            S.ACTIVE,
            audit=A.LOCKED,
            quote=Q.ACCEPTED,
            checklist_applied=True,
            practice_items_open=2,
        ),
        "DDDDCUU",
        Side.PRACTICE,
        Target.CHECKLIST,
        "our 2 open items",
    ),
    (
        state(S.ACTIVE, audit=A.LOCKED, quote=Q.ACCEPTED, checklist_applied=True),
        "DDDDCUU",
        Side.PRACTICE,
        Target.REPORTS,
        "we write the week-one report",
    ),
    (
        state(
            S.ACTIVE, audit=A.LOCKED, quote=Q.ACCEPTED, checklist_applied=True, report_ready=True
        ),
        "DDDDCUU",
        Side.CLIENT,
        Target.REPORTS,
        "Read the week-one report",
    ),
    (
        state(S.ONGOING, audit=A.LOCKED, quote=Q.ACCEPTED, checklist_applied=True),
        "DDDDDCU",
        Side.PRACTICE,
        None,
        "work through the plan",
    ),
    (
        state(S.COMPLETED, audit=A.LOCKED, quote=Q.ACCEPTED, report_ready=True),
        "DDDDDDC",
        None,
        Target.REPORTS,
        "complete",
    ),
    # The first case: a quote sent to a lead is what the lead waits on, and the client
    # is the one to move.
    (state(S.LEAD, quote=Q.SENT), "DKKCUUU", Side.CLIENT, Target.QUOTE, "accept the option"),
    (
        state(S.QUALIFIED, quote=Q.SENT),
        "DDKCUUU",
        Side.CLIENT,
        Target.QUOTE,
        "accept the option",
    ),
    # The second case: at Audit with the audit locked and a quote sent, the audit is
    # done and the proposal is current, as the next step says.
    (
        state(S.AUDIT, audit=A.LOCKED, quote=Q.SENT),
        "DDDCUUU",
        Side.CLIENT,
        Target.QUOTE,
        "accept the option",
    ),
    # An open audit and a sent quote: the audit stays current, the quote is the next step.
    (
        state(S.AUDIT, audit=A.OPEN, quote=Q.SENT),
        "DDCUUUU",
        Side.CLIENT,
        Target.QUOTE,
        "audit stays open",
    ),
    # An audit opened for a lead (the stage cannot move from lead to audit).
    (
        state(S.LEAD, audit=A.OPEN),
        "DKCUUUU",
        Side.CLIENT,
        Target.AUDIT,
        "Fill in the readiness",
    ),
    (
        state(S.QUALIFIED, audit=A.ANSWERED),
        "DDCUUUU",
        Side.PRACTICE,
        Target.AUDIT,
        "review your audit",
    ),
    # The third case: a lead from the intake accepted its quote; the audit was skipped.
    (
        state(S.ACTIVE, quote=Q.ACCEPTED, stages_entered=(S.QUALIFIED, S.PROPOSAL, S.ACTIVE)),
        "DDKDCUU",
        Side.PRACTICE,
        None,
        "set up the week-one checklist",
    ),
    # A re-run audit while active is the client's to answer.
    (
        state(
            S.ACTIVE, audit=A.OPEN, quote=Q.ACCEPTED, checklist_applied=True, client_items_open=2
        ),
        "DDDDCUU",
        Side.CLIENT,
        Target.AUDIT,
        "Fill in the readiness",
    ),
    # Completed straight from active: the ongoing phase was skipped.
    (
        state(
            S.COMPLETED,
            audit=A.LOCKED,
            quote=Q.ACCEPTED,
            stages_entered=(S.QUALIFIED, S.AUDIT, S.PROPOSAL, S.ACTIVE, S.COMPLETED),
        ),
        "DDDDDKC",
        None,
        None,
        "complete",
    ),
    # Off the main line.
    (state(S.PAUSED, paused_from=S.PROPOSAL, audit=A.LOCKED), "DDDCUUU", None, None, "paused"),
    (state(S.LOST, quote=Q.SENT), "", None, None, "closed"),
]


@pytest.mark.parametrize(("facts", "steps", "waiting_on", "target", "says"), CASES)
def test_tracker_and_next_step_follow_the_real_state(
    facts: ProgressState, steps: str, waiting_on: Side | None, target: Target | None, says: str
) -> None:
    result = progress(facts)
    assert tracker(facts) == steps
    assert result.next_step.waiting_on == waiting_on
    assert result.next_step.target == target
    assert says in result.next_step.text


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (
            state(S.ACTIVE, quote=Q.ACCEPTED, stages_entered=(S.QUALIFIED, S.PROPOSAL, S.ACTIVE)),
            "Skipped: the proposal was accepted from the intake.",
        ),
        (
            state(
                S.ACTIVE,
                quote=Q.ACCEPTED,
                from_intake=False,
                stages_entered=(S.QUALIFIED, S.PROPOSAL, S.ACTIVE),
            ),
            "Skipped: the proposal was accepted without an audit.",
        ),
        (
            state(S.PROPOSAL, stages_entered=(S.QUALIFIED, S.PROPOSAL)),
            "Skipped: the proposal was made from the intake.",
        ),
        (state(S.LEAD, quote=Q.SENT), "Skipped: the proposal was sent from the intake."),
    ],
)
def test_a_skipped_audit_says_why(facts: ProgressState, reason: str) -> None:
    audit_step = progress(facts).steps[PIPELINE.index(S.AUDIT)]
    assert audit_step.status == StepStatus.SKIPPED
    assert audit_step.reason == reason


def test_an_engagement_made_at_its_stage_without_a_history_counts_its_stages_done() -> None:
    facts = state(S.ONGOING, audit=A.LOCKED, quote=Q.ACCEPTED, stages_entered=())
    assert tracker(facts) == "DDDDDCU"


def test_a_paused_engagement_says_where_it_stopped() -> None:
    result = progress(state(S.PAUSED, paused_from=S.ACTIVE, audit=A.LOCKED, quote=Q.ACCEPTED))
    assert result.notice == "This engagement is paused at Active."


# Every combination has exactly one current step on the main line (none when lost), and a next
# step that names whose move it is only when something is pending.
@pytest.mark.parametrize(
    ("stage", "audit", "quote"), list(itertools.product(Stage, AuditState, QuoteState))
)
def test_every_combination_has_one_current_step_and_a_next_step(
    stage: Stage, audit: AuditState, quote: QuoteState
) -> None:
    paused_from = S.AUDIT if stage == S.PAUSED else None
    result = progress(state(stage, audit=audit, quote=quote, paused_from=paused_from))
    currents = [step for step in result.steps if step.status == C]
    assert len(currents) == (0 if stage == S.LOST else 1)
    assert result.next_step.text
    skipped = [step for step in result.steps if step.status == K]
    assert all(step.reason.startswith("Skipped: ") for step in skipped)
    if quote == Q.SENT and stage not in (S.LOST, S.PAUSED, S.COMPLETED):
        assert result.next_step.waiting_on == Side.CLIENT
        assert result.next_step.target == Target.QUOTE
