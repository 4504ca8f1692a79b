"""Every write of an AI plan. Each change is one transaction that locks the row it changes,
refuses a save made from a stale page, and leaves an event on the engagement's timeline."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils.text import slugify

from cto.aiplan import rows
from cto.aiplan import starter as starter_module
from cto.aiplan.models import (
    AIPlan,
    Candidate,
    CellScore,
    Criterion,
    EvalGate,
    FailureMode,
    PlanComment,
)
from cto.aiplan.playbooks import starter_read_shipped
from cto.aiplan.rows import PlanError, StalePlanError
from cto.audits.selectors import weak_dimensions
from cto.engagements.models import Engagement
from cto.intake.selectors import intake_choices
from cto.users.models import User

# --- Starting ----------------------------------------------------------------------------------


@transaction.atomic
def plan_start(*, engagement: Engagement, by: User) -> AIPlan:
    """Create the engagement's AI plan with the default criteria and the starter evals and
    failure modes its intake answers and weak audit dimensions call for."""
    if AIPlan.objects.filter(engagement=engagement).exists():
        raise PlanError("This engagement already has an AI plan.")
    starter = starter_read_shipped()
    response = getattr(engagement, "intake_response", None)
    evals, failure_modes = starter_module.select(
        starter, intake_choices(response), weak_dimensions(engagement)
    )
    plan = AIPlan.objects.create(engagement=engagement)
    Criterion.objects.bulk_create(
        Criterion(
            plan=plan,
            key=spec.key,
            label=spec.label,
            weight=spec.weight,
            higher_is_better=spec.higher_is_better,
            position=index,
        )
        for index, spec in enumerate(starter.criteria)
    )
    EvalGate.objects.bulk_create(
        EvalGate(
            plan=plan,
            key=proposal.key,
            name=proposal.fields["name"],
            behaviour=proposal.fields["behaviour"],
            dataset_description=proposal.fields.get("dataset", {}).get("description", ""),
            dataset_size=proposal.fields.get("dataset", {}).get("size"),
            metric=proposal.fields["metric"],
            comparison=proposal.fields["comparison"],
            threshold=Decimal(str(proposal.fields["threshold"])),
            cadence=proposal.fields["cadence"],
            blocks_release=bool(proposal.fields.get("blocks_release")),
            measure=proposal.fields.get("measure", ""),
            subject=proposal.fields.get("subject", ""),
        )
        for proposal in evals
    )
    FailureMode.objects.bulk_create(
        FailureMode(
            plan=plan,
            key=proposal.key,
            title=proposal.fields["title"],
            look_first=proposal.fields["look_first"],
            likelihood=proposal.fields["likelihood"],
            impact=proposal.fields["impact"],
            detection=proposal.fields["detection"],
            mitigation=proposal.fields["mitigation"],
            blocks_production=bool(proposal.fields.get("blocks_production")),
        )
        for proposal in failure_modes
    )
    rows.record(
        plan,
        by,
        f"started with {len(starter.criteria)} criteria, {len(evals)} proposed evals and "
        f"{len(failure_modes)} proposed failure modes",
        target=plan,
    )
    return plan


# --- The matrix -------------------------------------------------------------------------------


@transaction.atomic
def criterion_set_weight(
    *, criterion: Criterion, weight: int, expected_version: int | None, by: User
) -> Criterion:
    value = weight
    if not 0 <= value <= 100:
        raise PlanError("A weight is a whole number from 0 to 100.")
    locked = rows.lock(criterion, expected_version)
    if locked.weight == value:
        return locked
    before = locked.weight
    locked.weight = value
    rows.save(locked, ["weight"])
    change = f"weight of {locked.label} from {before} to {value}"
    rows.record(locked.plan, by, change, target=locked)
    return locked


@transaction.atomic
def criterion_add(
    *, plan: AIPlan, label: str, weight: int, higher_is_better: bool, by: User
) -> Criterion:
    label = rows.text(label, "a name for the criterion", required=True, limit=120)
    key = "custom-" + slugify(label)[:50]
    if plan.criteria.filter(key=key).exists():
        raise PlanError("There is already a criterion with that name.")
    criterion = Criterion.objects.create(
        plan=plan,
        key=key,
        label=label,
        weight=0,
        higher_is_better=higher_is_better,
        position=plan.criteria.count(),
    )
    rows.record(plan, by, f"added the criterion {label}", target=criterion)
    return criterion_set_weight(criterion=criterion, weight=weight, expected_version=1, by=by)


@transaction.atomic
def candidate_add(
    *, plan: AIPlan, name: str, provider: str = "", snapshot: str = "", notes: str = "", by: User
) -> Candidate:
    candidate = Candidate(
        plan=plan,
        name=rows.text(name, "the model or vendor's name", required=True, limit=120),
        provider=rows.text(provider, "the provider", limit=120),
        snapshot=rows.text(snapshot, "the version", limit=120),
        notes=rows.text(notes, "the notes"),
    )
    candidate.full_clean()
    candidate.save()
    rows.record(plan, by, f"added the candidate {candidate}", target=candidate)
    return candidate


@transaction.atomic
def cell_score_set(
    *,
    candidate: Candidate,
    criterion: Criterion,
    score: int,
    measured_value: Decimal | None = None,
    unit: str = "",
    source_url: str = "",
    expected_version: int | None,
    by: User,
) -> CellScore:
    """Score one cell 1-5, with an optional measured value, unit and source."""
    if candidate.plan_id != criterion.plan_id:
        raise PlanError("That candidate and criterion belong to different plans.")
    if not 1 <= score <= 5:
        raise PlanError("A score is a whole number from 1 to 5.")
    value = rows.number(measured_value, "the measured value")
    unit, source_url = rows.text(unit, "the unit", limit=40), rows.url(source_url)
    cell = CellScore.objects.filter(candidate=candidate, criterion=criterion).first()
    if cell is None:
        if expected_version is not None:
            raise StalePlanError("This page is out of date; reload it.", code="stale")
        cell = CellScore.objects.create(
            candidate=candidate,
            criterion=criterion,
            score=score,
            measured_value=value,
            unit=unit,
            source_url=source_url,
        )
    else:
        cell = rows.lock(cell, expected_version)
        cell.score, cell.measured_value, cell.unit, cell.source_url = (
            score,
            value,
            unit,
            source_url,
        )
        rows.save(cell, ["score", "measured_value", "unit", "source_url"])
    rows.record(
        candidate.plan, by, f"scored {candidate} on {criterion.label}: {cell.score}", target=cell
    )
    return cell


@transaction.atomic
def plan_choose(
    *,
    plan: AIPlan,
    chosen: Candidate | None,
    fallback: Candidate | None,
    rationale: str,
    expected_version: int | None,
    by: User,
) -> AIPlan:
    """Record the chosen candidate and its fallback, with the reasons."""
    for candidate in (chosen, fallback):
        if candidate is not None and candidate.plan_id != plan.pk:
            raise PlanError("That candidate is not part of this plan.")
    if chosen is not None and chosen == fallback:
        raise PlanError("The fallback must be a different candidate from the chosen one.")
    if chosen is None:
        raise PlanError("Please choose a candidate.")
    rationale = rows.text(rationale, "the reasons for this choice", required=True, limit=4000)
    locked = rows.lock(plan, expected_version)
    locked.chosen, locked.fallback, locked.rationale = chosen, fallback, rationale
    rows.save(locked, ["chosen", "fallback", "rationale", "updated_at"])
    note = f"chose {chosen}" + (f" with {fallback} as fallback" if fallback else "")
    rows.record(locked, by, note, target=locked)
    return locked


# --- Gates and failure modes -----------------------------------------------------------------


@transaction.atomic
def gate_result_record(
    *,
    gate: EvalGate,
    value: Decimal,
    at: datetime.date | None,
    run_url: str = "",
    note: str = "",
    expected_version: int | None,
    by: User,
) -> EvalGate:
    """Record a result measured elsewhere, typed by hand: a claim, with a note on where it was
    measured; pass or fail follows from the threshold while no receipt decides the gate."""
    number = rows.number(value, "the result", required=True)
    note = rows.text(note, "the note")
    locked = rows.lock(gate, expected_version)
    before = locked.verdict
    locked.latest_value, locked.latest_at = number, at or datetime.date.today()
    locked.latest_run_url = rows.url(run_url)
    locked.latest_note = note
    rows.save(locked, ["latest_value", "latest_at", "latest_run_url", "latest_note"])
    rows.record(
        locked.plan,
        by,
        f"recorded {number} for {locked.name}, claimed, measured elsewhere: "
        f"{locked.claimed_verdict}",
        target=locked,
    )
    rows.record_verdict(locked, before, by, value=number)
    return locked


@transaction.atomic
def failure_mode_set_status(
    *,
    failure_mode: FailureMode,
    status: FailureMode.Status,
    reason: str = "",
    expected_version: int | None,
    by: User,
) -> FailureMode:
    if status not in FailureMode.Status.values:
        raise PlanError("Choose open, mitigated or accepted.")
    reason = rows.text(reason, "the reason")
    if status == FailureMode.Status.ACCEPTED and not reason:
        raise PlanError("Accepting a risk needs a reason: say why it is acceptable.")
    locked = rows.lock(failure_mode, expected_version)
    locked.status, locked.status_reason = status, reason
    rows.save(locked, ["status", "status_reason"])
    rows.record(
        locked.plan,
        by,
        f"marked “{locked.title}” {locked.get_status_display().lower()}",
        target=locked,
    )
    return locked


@transaction.atomic
def row_drop(*, row: Candidate | Criterion | EvalGate | FailureMode, by: User) -> None:
    """Remove a proposal or a row the operator does not want."""
    plan, label = row.plan, str(row)
    type(row).objects.filter(pk=row.pk).delete()
    rows.record(plan, by, f"dropped {row._meta.verbose_name} “{label}”")


def row_save(*, row: EvalGate | FailureMode | Candidate | Criterion, by: User, change: str) -> None:
    """Create or edit a whole row from the admin's form, with the same checks and event."""
    with transaction.atomic():
        if row.pk:
            rows.lock(row, row.version)
            row.version += 1
        if isinstance(row, Criterion) and not row.key:
            row.key = "custom-" + slugify(row.label)[:50]
        row.full_clean()
        row.save()
        rows.record(row.plan, by, change, target=row)


# --- Comments --------------------------------------------------------------------------------

ROW_KINDS: dict[type[models.Model], str] = {
    Candidate: PlanComment.Row.CANDIDATE,
    EvalGate: PlanComment.Row.GATE,
    FailureMode: PlanComment.Row.FAILURE_MODE,
}


@transaction.atomic
def comment_add(
    *, plan: AIPlan, row: Candidate | EvalGate | FailureMode | None, text: str, by: User
) -> PlanComment:
    """Anyone who can see the plan may comment on it (``row`` None) or on one of its rows."""
    text = rows.text(text, "a comment", required=True)
    if row is not None and row.plan_id != plan.pk:
        raise PlanError("That row is not part of this plan.")
    comment = PlanComment.objects.create(
        plan=plan,
        row_kind=ROW_KINDS[type(row)] if row is not None else PlanComment.Row.PLAN,
        row_id=row.pk if row is not None else None,
        author=by,
        text=text,
    )
    rows.record(plan, by, "commented", target=comment)
    return comment
