"""Where an engagement stands and what comes next: the tracker and the "next step" of its page.

A pure module: no ORM, no I/O. ``selectors.engagement_progress`` gathers the engagement's real
state into a ``ProgressState``; ``progress`` turns it into the tracker's steps and the one next
step. Both are read from the same state, so the tracker and the next step cannot contradict each
other, nor the audit, quote or checklist the page lists below them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from cto.engagements.stages import PIPELINE, Stage


class AuditState(models.TextChoices):
    """The engagement's latest audit (one audit is open at a time, and it is the latest)."""

    NONE = "none", "No audit yet"
    OPEN = "open", "Open for the client's answers"
    ANSWERED = "answered", "Every question answered, waiting on the practice"
    LOCKED = "locked", "Locked"


class QuoteState(models.TextChoices):
    """The quotes the client can see (drafts are the practice's, and left out)."""

    NONE = "none", "No quote sent yet"
    SENT = "sent", "Sent, waiting on the client"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired unanswered"


class Side(models.TextChoices):
    CLIENT = "client", "you"
    PRACTICE = "practice", "us"


class StepStatus(models.TextChoices):
    DONE = "done", "Done"
    CURRENT = "current", "Current"
    SKIPPED = "skipped", "Skipped"
    UPCOMING = "upcoming", "To come"


class Target(models.TextChoices):
    """Where the next step is done; the page turns it into a link."""

    AUDIT = "audit", "Open the audit"
    QUOTE = "quote", "Read the proposal"
    CHECKLIST = "checklist", "Open the checklist"
    REPORTS = "reports", "See the reports"


@dataclass(frozen=True)
class ProgressState:
    """The facts the tracker and the next step are derived from."""

    stage: Stage
    paused_from: Stage | None = None
    # The stages the engagement moved to, oldest first, since it was last (re)opened as a lead.
    # Empty for an engagement that has never moved, or was made at its stage without a history.
    stages_entered: tuple[Stage, ...] = ()
    from_intake: bool = False
    audit: AuditState = AuditState.NONE
    quote: QuoteState = QuoteState.NONE
    checklist_applied: bool = False
    client_items_open: int = 0
    practice_items_open: int = 0
    report_ready: bool = False  # a week-one report the client can read


@dataclass(frozen=True)
class TrackerStep:
    stage: Stage
    status: StepStatus
    reason: str = ""  # why a skipped stage was skipped

    @property
    def label(self) -> str:
        return self.stage.label


@dataclass(frozen=True)
class NextStep:
    """What comes next and whose move it is (``waiting_on`` None when nothing is pending)."""

    text: str
    waiting_on: Side | None
    target: Target | None = None


@dataclass(frozen=True)
class Progress:
    steps: tuple[TrackerStep, ...]
    next_step: NextStep
    # Off the main line (lost, paused): said in words beside the tracker.
    notice: str = ""


# Stages an engagement may pass by: the audit (a quote may be made and accepted without one),
# the ongoing phase (an active engagement may finish directly), and the qualification when an
# audit or a quote comes straight after the first contact.
SKIPPABLE: frozenset[Stage] = frozenset({Stage.QUALIFIED, Stage.AUDIT, Stage.ONGOING})

# Before these, a sent quote means the proposal is what the engagement waits on.
_BEFORE_PROPOSAL = (Stage.LEAD, Stage.QUALIFIED, Stage.AUDIT)


def progress(state: ProgressState) -> Progress:
    """The tracker's steps and the next step for ``state``."""
    if state.stage == Stage.LOST:
        return Progress(
            steps=(),
            next_step=NextStep("The engagement is closed.", None),
            notice="This engagement is closed.",
        )
    if state.stage == Stage.PAUSED:
        where = state.paused_from or Stage.LEAD
        notice = "This engagement is paused"
        notice += f" at {where.label}." if state.paused_from else "."
        return Progress(
            steps=_steps(state, current=where),
            next_step=NextStep("The engagement is paused until we agree to resume it.", None),
            notice=notice,
        )
    return Progress(steps=_steps(state, current=_current(state)), next_step=_next_step(state))


def _current(state: ProgressState) -> Stage:
    """The stage the engagement is really at: a lead or qualified engagement with an open audit
    is in its audit, and one with a quote to answer is at the proposal, whatever the stage
    field says (opening an audit cannot move a lead; sending a quote moves nothing)."""
    if state.stage in _BEFORE_PROPOSAL:
        if state.quote == QuoteState.SENT and state.audit not in (
            AuditState.OPEN,
            AuditState.ANSWERED,
        ):
            return Stage.PROPOSAL
        if state.audit in (AuditState.OPEN, AuditState.ANSWERED) and state.stage != Stage.AUDIT:
            return Stage.AUDIT
    return state.stage


def _steps(state: ProgressState, *, current: Stage) -> tuple[TrackerStep, ...]:
    here = PIPELINE.index(current)
    steps = []
    for position, stage in enumerate(PIPELINE):
        if position < here:
            reason = _skipped_because(state, stage, current=current)
            status = StepStatus.SKIPPED if reason else StepStatus.DONE
            steps.append(TrackerStep(stage, status, reason))
        elif position == here:
            steps.append(TrackerStep(stage, StepStatus.CURRENT))
        else:
            steps.append(TrackerStep(stage, StepStatus.UPCOMING))
    return tuple(steps)


def _skipped_because(state: ProgressState, stage: Stage, *, current: Stage) -> str:
    """Why the engagement passed ``stage`` without going through it; "" when it went through.

    The audit stage was gone through when there is an audit. For the others the history of moves
    says which were entered; an engagement without one (made at its stage) counts as having gone
    through each."""
    if stage not in SKIPPABLE:
        return ""
    has_history = bool(state.stages_entered) or state.stage == Stage.LEAD
    if stage == Stage.AUDIT:
        # An audit run is the audit stage done, even one opened before the stage could move.
        return _audit_skipped_because(state) if state.audit == AuditState.NONE else ""
    if has_history and stage not in state.stages_entered and stage != state.stage:
        if stage == Stage.QUALIFIED:
            if current == Stage.AUDIT:
                return "Skipped: the audit was opened straight from the first contact."
            return _audit_skipped_because(state)
        if stage == Stage.ONGOING:
            return "Skipped: the work was finished without an ongoing phase."
    return ""


def _audit_skipped_because(state: ProgressState) -> str:
    proposal = {
        QuoteState.ACCEPTED: "accepted",
        QuoteState.SENT: "sent",
    }.get(state.quote, "made")
    if state.from_intake:
        return f"Skipped: the proposal was {proposal} from the intake."
    return f"Skipped: the proposal was {proposal} without an audit."


def _next_step(state: ProgressState) -> NextStep:
    stage = state.stage
    audit_to_answer = state.audit == AuditState.OPEN
    if state.quote == QuoteState.SENT and stage != Stage.COMPLETED:
        text = "Read the proposal and accept the option that suits you."
        if audit_to_answer:
            text += " Your readiness audit stays open meanwhile."
        return NextStep(text, Side.CLIENT, Target.QUOTE)
    if audit_to_answer and stage != Stage.COMPLETED:
        return NextStep(
            "Fill in the readiness audit: each answer is saved as you give it.",
            Side.CLIENT,
            Target.AUDIT,
        )
    if state.audit == AuditState.ANSWERED and stage != Stage.COMPLETED:
        return NextStep(
            "We review your audit answers, lock the audit and write up what we found.",
            Side.PRACTICE,
            Target.AUDIT,
        )
    if stage in _BEFORE_PROPOSAL or stage == Stage.PROPOSAL:
        return _before_work(state)
    if stage in (Stage.ACTIVE, Stage.ONGOING):
        return _during_work(state)
    # Completed.
    if state.report_ready:
        return NextStep(
            "The engagement is complete; its reports stay here for you.", None, Target.REPORTS
        )
    return NextStep("The engagement is complete.", None)


def _before_work(state: ProgressState) -> NextStep:
    """Lead to proposal, with no audit or quote waiting on the client."""
    if state.quote == QuoteState.DECLINED:
        return NextStep(
            "You declined the proposal: we get in touch to talk over what would suit you.",
            Side.PRACTICE,
            Target.QUOTE,
        )
    if state.quote == QuoteState.EXPIRED:
        return NextStep(
            "The proposal expired before it was accepted: we send you a fresh one.",
            Side.PRACTICE,
            Target.QUOTE,
        )
    if state.stage == Stage.LEAD:
        if state.from_intake:
            return NextStep(
                "We review your intake answers and reply within two working days.",
                Side.PRACTICE,
            )
        return NextStep("We get in touch to talk over what you need.", Side.PRACTICE)
    if state.stage == Stage.QUALIFIED:
        return NextStep("We open the readiness audit.", Side.PRACTICE)
    if state.stage == Stage.AUDIT:
        if state.audit == AuditState.LOCKED:
            return NextStep("We prepare the proposal from your audit.", Side.PRACTICE, Target.AUDIT)
        return NextStep("We open the readiness audit.", Side.PRACTICE)
    return NextStep("We prepare the proposal.", Side.PRACTICE)


def _during_work(state: ProgressState) -> NextStep:
    """Active or ongoing: the checklist, then the week-one report."""
    if not state.checklist_applied:
        return NextStep("We set up the week-one checklist.", Side.PRACTICE)
    if state.client_items_open:
        items = _items(state.client_items_open)
        return NextStep(
            f"Work through your {items} on the week-one checklist.", Side.CLIENT, Target.CHECKLIST
        )
    if state.practice_items_open:
        items = _items(state.practice_items_open)
        return NextStep(
            f"Nothing on your side: we work through our {items} on the week-one checklist.",
            Side.PRACTICE,
            Target.CHECKLIST,
        )
    if state.stage == Stage.ACTIVE and not state.report_ready:
        return NextStep(
            "The checklist is done: we write the week-one report.", Side.PRACTICE, Target.REPORTS
        )
    if state.stage == Stage.ACTIVE:
        return NextStep(
            "Read the week-one report; we then agree the next phase with you.",
            Side.CLIENT,
            Target.REPORTS,
        )
    return NextStep("We work through the plan; the timeline shows each step.", Side.PRACTICE)


def _items(count: int) -> str:
    return "open item" if count == 1 else f"{count} open items"
