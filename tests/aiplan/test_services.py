"""cto/aiplan/services.py on PostgreSQL: seeding a plan, edits with version checks, choosing,
gate results and failure modes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cto.aiplan import services
from cto.aiplan.models import AIPlan, CellScore, FailureMode
from cto.engagements.models import ActivityEvent
from cto.users.models import User

pytestmark = pytest.mark.django_db


def test_a_plan_without_intake_or_audit_gets_the_criteria_and_the_always_proposals(
    plan: AIPlan,
) -> None:
    assert plan.criteria.count() == 9
    assert set(plan.gates.values_list("key", flat=True)) == {"golden_set", "latency_p95"}
    assert set(plan.failure_modes.values_list("key", flat=True)) == {
        "silent_regression",
        "vendor_outage",
    }
    assert plan.engagement.events.filter(verb=ActivityEvent.Verb.PLAN_CHANGED).count() == 1


def test_only_one_plan_per_engagement(plan: AIPlan, operator: User) -> None:
    with pytest.raises(services.PlanError, match="already has an AI plan"):
        services.plan_start(engagement=plan.engagement, by=operator)


# --- Edits -------------------------------------------------------------------------------------


def test_weights_change_the_ranking_and_stale_weights_are_refused(
    filled: AIPlan, operator: User
) -> None:
    criterion = filled.criteria.get(key="latency")
    services.criterion_set_weight(criterion=criterion, weight=40, expected_version=1, by=operator)
    with pytest.raises(services.StalePlanError, match="Someone changed this"):
        services.criterion_set_weight(
            criterion=criterion, weight=5, expected_version=1, by=operator
        )
    criterion.refresh_from_db()
    assert (criterion.weight, criterion.version) == (40, 2)


@pytest.mark.parametrize("weight", [-1, 101])
def test_bad_weights_are_refused(plan: AIPlan, operator: User, weight: int) -> None:
    criterion = plan.criteria.first()
    with pytest.raises(services.PlanError, match="whole number from 0 to 100"):
        services.criterion_set_weight(
            criterion=criterion, weight=weight, expected_version=None, by=operator
        )


def test_cell_scores_carry_measured_values_and_refuse_nonsense(
    plan: AIPlan, operator: User
) -> None:
    candidate = services.candidate_add(plan=plan, name="Model A", by=operator)
    latency = plan.criteria.get(key="latency")
    cell = services.cell_score_set(
        candidate=candidate,
        criterion=latency,
        score=2,
        measured_value=Decimal("820"),
        unit="ms p95",
        source_url="https://bench.example/run/1",
        expected_version=None,
        by=operator,
    )
    assert (cell.score, cell.measured_value, cell.unit) == (2, Decimal("820"), "ms p95")
    for bad in (0, 6):
        with pytest.raises(services.PlanError, match="from 1 to 5"):
            services.cell_score_set(
                candidate=candidate, criterion=latency, score=bad, expected_version=1, by=operator
            )
    with pytest.raises(services.PlanError, match="reasonable number"):
        services.cell_score_set(
            candidate=candidate,
            criterion=latency,
            score=3,
            measured_value=Decimal("NaN"),
            expected_version=1,
            by=operator,
        )
    assert CellScore.objects.get().score == 2


def test_choosing_needs_two_different_candidates_and_a_reason(
    filled: AIPlan, operator: User
) -> None:
    first, second = filled.candidates.all()[:2]
    with pytest.raises(services.PlanError, match="different candidate"):
        services.plan_choose(
            plan=filled,
            chosen=first,
            fallback=first,
            rationale="x",
            expected_version=None,
            by=operator,
        )
    with pytest.raises(services.PlanError, match="reasons"):
        services.plan_choose(
            plan=filled,
            chosen=first,
            fallback=second,
            rationale=" ",
            expected_version=None,
            by=operator,
        )
    chosen = services.plan_choose(
        plan=filled,
        chosen=first,
        fallback=second,
        rationale="Best evals",
        expected_version=1,
        by=operator,
    )
    assert (chosen.chosen, chosen.fallback, chosen.version) == (first, second, 2)


def test_gate_results_pass_or_fail_against_the_threshold(plan: AIPlan, operator: User) -> None:
    gate = plan.gates.get(key="golden_set")  # at least 0.90
    assert gate.verdict == "no result"
    gate = services.gate_result_record(
        gate=gate, value=Decimal("0.89"), at=None, expected_version=1, by=operator
    )
    assert gate.verdict == "fail"
    gate = services.gate_result_record(
        gate=gate, value=Decimal("0.91"), at=None, expected_version=2, by=operator
    )
    assert gate.verdict == "pass"


def test_accepting_a_failure_mode_needs_a_reason(plan: AIPlan, operator: User) -> None:
    mode = plan.failure_modes.first()
    with pytest.raises(services.PlanError, match="needs a reason"):
        services.failure_mode_set_status(
            failure_mode=mode, status=FailureMode.Status.ACCEPTED, expected_version=1, by=operator
        )
    mode = services.failure_mode_set_status(
        failure_mode=mode,
        status=FailureMode.Status.ACCEPTED,
        reason="Rare, and cheap to fix",
        expected_version=1,
        by=operator,
    )
    assert (mode.status, mode.version) == ("accepted", 2)
