"""AI plan services and pages on PostgreSQL: seeding rules, edits with version checks, who
may do what, isolation on every endpoint, the export, and the page's query count."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cto.aiplan import services, starter
from cto.aiplan.models import AIPlan, CellScore, EvalGate, FailureMode, PlanComment
from cto.aiplan.playbooks import starter_read_shipped
from cto.engagements.models import ActivityEvent, Engagement
from cto.users.models import Organization, User
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def plan(engagement: Engagement, operator: User) -> AIPlan:
    return services.plan_start(engagement=engagement, by=operator)


@pytest.fixture
def filled(plan: AIPlan, operator: User) -> AIPlan:
    criteria = list(plan.criteria.all())
    for name, level in (("Model A", 5), ("Model B", 3), ("Model C", 2), ("Model D", 1)):
        candidate = services.candidate_add(plan=plan, name=name, provider="Vendor", by=operator)
        for criterion in criteria:
            services.cell_score_set(
                candidate=candidate,
                criterion=criterion,
                score=level if criterion.higher_is_better else 6 - level,
                expected_version=None,
                by=operator,
            )
    return plan


# --- Seeding -----------------------------------------------------------------------------------


def test_the_shipped_starter_parses() -> None:
    loaded = starter_read_shipped()
    assert len(loaded.criteria) == 9
    assert {c.key for c in loaded.criteria} >= {"latency", "cost_per_task", "tool_calling"}


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


def test_intake_answers_and_weak_dimensions_pick_the_proposals() -> None:
    loaded = starter_read_shipped()
    evals, modes = starter.select(
        loaded, {"agents": ["yes"], "retrieval": ["yes"], "pains": ["costs"]}, {"evals"}
    )
    assert {p.key for p in evals} == {
        "golden_set",
        "latency_p95",
        "tool_call_validity",
        "retrieval_recall",
        "permission_leak",
        "cost_per_task",
        "regression_diff",
    }
    assert {"tool_misuse", "prompt_injection", "untested_release", "cost_runaway"} <= {
        p.key for p in modes
    }
    none_evals, _ = starter.select(loaded, {"agents": ["no"]}, set())
    assert "tool_call_validity" not in {p.key for p in none_evals}


def test_a_malformed_starter_is_refused_with_every_problem() -> None:
    with pytest.raises(starter.StarterError) as raised:
        starter.parse(
            {
                "criteria": [{"key": "x", "label": "X", "weight": 500, "direction": "higher"}],
                "evals": [{"key": "e", "when": {"sometimes": 1}, "name": "E"}],
                "failure_modes": [],
            }
        )
    problems = raised.value.problems
    assert "criterion x: “weight” is a whole number from 0 to 100." in problems
    assert any(p.startswith("evals 'e': missing behaviour") for p in problems)
    assert "evals 'e': the condition “sometimes” is not well formed." in problems


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


# --- Pages: who may do what ------------------------------------------------------------------


def plan_urls(plan: AIPlan) -> dict[str, tuple[str, str, dict]]:
    gate, mode = plan.gates.first(), plan.failure_modes.first()
    criterion = plan.criteria.first()
    return {
        "detail": ("get", reverse("aiplan:detail", args=[plan.pk]), {}),
        "export": ("get", reverse("aiplan:export", args=[plan.pk]), {}),
        "weight": (
            "post",
            reverse("aiplan:criterion_weight", args=[plan.pk, criterion.pk]),
            {"weight": "1"},
        ),
        "criterion": (
            "post",
            reverse("aiplan:criterion_add", args=[plan.pk]),
            {"label": "Vibes", "weight": "1"},
        ),
        "candidate": ("post", reverse("aiplan:candidate_add", args=[plan.pk]), {"name": "Z"}),
        "score": ("post", reverse("aiplan:cell_score", args=[plan.pk]), {"score": "3"}),
        "choose": ("post", reverse("aiplan:choose", args=[plan.pk]), {"rationale": "x"}),
        "gate": ("post", reverse("aiplan:gate_result", args=[plan.pk, gate.pk]), {"value": "1"}),
        "mode": (
            "post",
            reverse("aiplan:failure_mode_status", args=[plan.pk, mode.pk]),
            {"status": "mitigated"},
        ),
        "comment": ("post", reverse("aiplan:comment_add", args=[plan.pk]), {"text": "Hi"}),
    }


@pytest.mark.parametrize(
    "name",
    [
        "detail",
        "export",
        "weight",
        "criterion",
        "candidate",
        "score",
        "choose",
        "gate",
        "mode",
        "comment",
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_another_organisations_plan_answers_404_everywhere(
    client: Client, plan: AIPlan, other_organization: Organization, name: str, htmx: bool
) -> None:
    client.force_login(MembershipFactory(organization=other_organization).user)
    method, url, data = plan_urls(plan)[name]
    reply = getattr(client, method)(url, data, headers=HTMX if htmx else {})
    assert reply.status_code == 404
    assert not PlanComment.objects.exists()
    assert not plan.candidates.exists()


@pytest.mark.parametrize(
    "name", ["weight", "criterion", "candidate", "score", "choose", "gate", "mode"]
)
def test_a_client_reads_but_cannot_edit(
    client: Client, client_user: User, plan: AIPlan, name: str
) -> None:
    client.force_login(client_user)
    method, url, data = plan_urls(plan)[name]
    assert getattr(client, method)(url, data, headers=HTMX).status_code == 403
    plan.refresh_from_db()
    assert plan.version == 1
    assert not plan.candidates.exists()
    assert client.get(reverse("aiplan:detail", args=[plan.pk])).status_code == 200


def test_a_client_may_comment_on_a_row(client: Client, client_user: User, plan: AIPlan) -> None:
    client.force_login(client_user)
    gate = plan.gates.first()
    reply = client.post(
        reverse("aiplan:comment_add", args=[plan.pk]),
        {"row": f"gate:{gate.pk}", "text": "Who owns this dataset?"},
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert "Who owns this dataset?" in reply.text
    comment = PlanComment.objects.get()
    assert (comment.row_kind, comment.row_id, comment.author) == ("gate", gate.pk, client_user)


def test_a_comment_on_a_foreign_row_is_refused(
    client: Client,
    client_user: User,
    plan: AIPlan,
    operator: User,
    other_organization: Organization,
) -> None:
    from tests.engagements.factories import EngagementFactory

    other = services.plan_start(
        engagement=EngagementFactory(organization=other_organization), by=operator
    )
    client.force_login(client_user)
    reply = client.post(
        reverse("aiplan:comment_add", args=[plan.pk]),
        {"row": f"gate:{other.gates.first().pk}", "text": "Sneaky"},
        headers=HTMX,
    )
    assert reply.status_code == 422
    assert "not part of this plan" in reply.text
    assert not PlanComment.objects.exists()


def test_changing_a_weight_returns_the_new_ranking_at_once(
    client: Client, operator: User, filled: AIPlan
) -> None:
    client.force_login(operator)
    criterion = filled.criteria.get(key="latency")
    reply = client.post(
        reverse("aiplan:criterion_weight", args=[filled.pk, criterion.pk]),
        {"weight": "50", "version": "1"},
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<section id="matrix"')
    assert 'name="weight" value="50"' in reply.text
    stale = client.post(
        reverse("aiplan:criterion_weight", args=[filled.pk, criterion.pk]),
        {"weight": "7", "version": "1"},
        headers=HTMX,
    )
    assert stale.status_code == 409
    assert "Someone changed this since you opened the page" in stale.text
    criterion.refresh_from_db()
    assert criterion.weight == 50


def test_the_export_holds_the_whole_plan(client: Client, client_user: User, filled: AIPlan) -> None:
    client.force_login(client_user)
    reply = client.get(reverse("aiplan:export", args=[filled.pk]))
    assert reply["Content-Disposition"] == f'attachment; filename="ai-plan-{filled.pk}.json"'
    data = json.loads(reply.content)
    assert data["ranking"][0]["candidate"] == "Model A"
    assert len(data["criteria"]) == 9
    assert len(data["candidates"][0]["scores"]) == 9
    assert {g["latest"]["verdict"] for g in data["eval_gates"]} == {"no result"}
    assert data["failure_modes"][0]["risk"] >= data["failure_modes"][-1]["risk"]


@pytest.mark.parametrize("extra_candidates", [0, 6])
def test_plan_page_query_count_does_not_grow(
    client: Client,
    client_user: User,
    filled: AIPlan,
    operator: User,
    extra_candidates: int,
    django_assert_num_queries,
) -> None:
    for index in range(extra_candidates):
        services.candidate_add(plan=filled, name=f"Extra {index}", by=operator)
    EvalGate.objects.filter(plan=filled).update(owner="Practice")
    FailureMode.objects.filter(plan=filled).update(owner="Client")
    client.force_login(client_user)
    url = reverse("aiplan:detail", args=[filled.pk])
    # user, plan, criteria, candidates, cells, gates, failure modes, comments
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
