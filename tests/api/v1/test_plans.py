"""/api/v1/ AI plans: scoped as the plan page is, its matrix, gates and failure modes, and a
comment (clients may, as on the page) with the page's form."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cto.aiplan.models import AIPlan, FailureModeProposal, PlanComment
from cto.aiplan.services import candidate_add, plan_start
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import engagement_transition
from cto.playbooks.loading import playbooks_load
from cto.users.models import User
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import WriterFor, fields, problem

pytestmark = pytest.mark.django_db


def _plan(engagement: Engagement, operator: User) -> AIPlan:
    Engagement.objects.filter(pk=engagement.pk).update(kind="ai")
    engagement.refresh_from_db()
    engagement_transition(engagement=engagement, to="qualified", by=operator)
    plan = plan_start(engagement=engagement, by=operator)
    candidate_add(plan=plan, name="Model A", by=operator)
    return plan


@pytest.fixture
def plan(engagement: Engagement, operator: User) -> AIPlan:
    playbooks_load(publish=True)
    return _plan(engagement, operator)


def _comment(client: Client, plan: AIPlan, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/plans/{plan.pk}/comments",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_a_client_reads_the_plan_as_its_page_shows_it(
    client: Client, client_user: User, plan: AIPlan, bearer_for: BearerFor
) -> None:
    body = client.get(f"/api/v1/plans/{plan.pk}", headers=bearer_for(client_user)).json()
    assert [c["id"] for c in body["criteria"]] == list(plan.criteria.values_list("pk", flat=True))
    directions = {c["key"]: c["direction"] for c in body["criteria"]}
    assert set(directions.values()) <= {"higher", "lower"}
    assert [c["name"] for c in body["candidates"]] == ["Model A"]
    assert [g["id"] for g in body["gates"]] == list(plan.gates.values_list("pk", flat=True))
    risks = [m["risk"] for m in body["failure_modes"]]
    assert risks == sorted(risks, reverse=True)
    assert body["gates"][0]["verdict"] == "no result"


def test_the_engagement_names_its_plan(
    client: Client, client_user: User, engagement: Engagement, plan: AIPlan, bearer_for: BearerFor
) -> None:
    body = client.get(f"/api/v1/engagements/{engagement.pk}", headers=bearer_for(client_user))
    assert body.json()["plan"] == plan.pk


def test_a_foreign_plan_is_404_and_no_token_401(
    client: Client,
    client_user: User,
    operator: User,
    plan: AIPlan,
    foreign_engagement: Engagement,
    bearer_for: BearerFor,
    writer_for: WriterFor,
) -> None:
    foreign = _plan(foreign_engagement, operator)
    problem(client.get(f"/api/v1/plans/{foreign.pk}", headers=bearer_for(client_user)), 404)
    problem(_comment(client, foreign, {"text": "Hi"}, writer_for(client_user)), 404)
    problem(client.get(f"/api/v1/plans/{foreign.pk}"), 401)
    assert not PlanComment.objects.exists()


def test_the_plan_costs_a_fixed_number_of_queries(
    client: Client,
    operator: User,
    plan: AIPlan,
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    headers = bearer_for(operator)
    url = f"/api/v1/plans/{plan.pk}"
    client.get(url, headers=headers)
    # The token, the plan, criteria, candidates, cells, gates (with their latest receipts), the
    # gates' receipts, failure modes, proposals, comments.
    with django_assert_num_queries(10):  # type: ignore[operator]  # pytest-django's fixture
        client.get(url, headers=headers)


def test_a_client_comments_on_a_gate_and_it_is_on_the_timeline(
    client: Client, client_user: User, plan: AIPlan, writer_for: WriterFor
) -> None:
    gate = plan.gates.first()
    response = _comment(
        client, plan, {"row": f"gate:{gate.pk}", "text": " Too strict? "}, writer_for(client_user)
    )
    assert response.status_code == 201, response.content
    assert response.json()["row"] == f"gate:{gate.pk}"
    comment = PlanComment.objects.get()
    assert (comment.author, comment.text, comment.row_id) == (client_user, "Too strict?", gate.pk)
    event = ActivityEvent.objects.latest("id")
    assert event.actor == client_user
    assert event.data["via"]["token"] == "test"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "body.text"),
        ({"text": "x" * 2001}, "body.text"),
        ({"row": "gate:999999", "text": "Hi"}, "body.row"),
        ({"row": "quote:1", "text": "Hi"}, "body.row"),
        ({"row": "gate:abc", "text": "Hi"}, "body.row"),
        ({"row": "x" * 41, "text": "Hi"}, "body.row"),
        ({}, "body.text"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: Client,
    client_user: User,
    plan: AIPlan,
    writer_for: WriterFor,
    body: dict[str, object],
    field: str,
) -> None:
    assert fields(_comment(client, plan, body, writer_for(client_user))) == [field]
    assert not PlanComment.objects.exists()


def test_another_plans_row_is_no_choice(
    client: Client,
    client_user: User,
    operator: User,
    plan: AIPlan,
    foreign_engagement: Engagement,
    writer_for: WriterFor,
) -> None:
    foreign_gate = _plan(foreign_engagement, operator).gates.first()
    body = {"row": f"gate:{foreign_gate.pk}", "text": "Hi"}
    assert fields(_comment(client, plan, body, writer_for(client_user))) == ["body.row"]
    assert not PlanComment.objects.exists()


def test_a_read_token_may_not_comment(
    client: Client, client_user: User, plan: AIPlan, bearer_for: BearerFor
) -> None:
    problem(_comment(client, plan, {"text": "Hi"}, bearer_for(client_user)), 403)
    assert not PlanComment.objects.exists()


def _gate_result(client: Client, plan: AIPlan, gate_pk: int, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/plans/{plan.pk}/gates/{gate_pk}/result",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def _mode_status(client: Client, plan: AIPlan, mode_pk: int, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.patch(
        f"/api/v1/plans/{plan.pk}/failure-modes/{mode_pk}",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_an_operator_records_a_gate_result_as_on_the_page(
    client: Client, operator: User, plan: AIPlan, writer_for: WriterFor
) -> None:
    gate = plan.gates.first()
    body = {"value": "0.97", "at": "2026-11-24", "run_url": "https://ci.example/1", "version": 1}
    response = _gate_result(client, plan, gate.pk, body, writer_for(operator))
    assert response.status_code == 200, response.content
    gate.refresh_from_db()
    assert (str(gate.latest_value.normalize()), gate.version) == ("0.97", 2)
    assert response.json()["verdict"] == gate.verdict
    event = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PLAN_CHANGED).latest("id")
    assert event.data["change"].startswith("recorded 0.97 for")
    assert event.data["via"]["token"] == "test"
    verdict = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.GATE_VERDICT).get()
    assert (verdict.data["from"], verdict.data["to"], verdict.data["via"]["token"]) == (
        "no result",
        "pass",
        "test",
    )


def test_a_stale_gate_result_is_409_with_the_gate(
    client: Client, operator: User, plan: AIPlan, writer_for: WriterFor
) -> None:
    gate = plan.gates.first()
    headers = writer_for(operator)
    assert _gate_result(client, plan, gate.pk, {"value": 1, "version": 1}, headers).status_code == (
        200
    )
    body = problem(_gate_result(client, plan, gate.pk, {"value": 0, "version": 1}, headers), 409)
    assert (body["current"]["latest_value"], body["current"]["version"]) == ("1", 2)
    gate.refresh_from_db()
    assert gate.latest_value == 1


def test_an_operator_accepts_a_risk_only_with_a_reason(
    client: Client, operator: User, plan: AIPlan, writer_for: WriterFor
) -> None:
    mode = plan.failure_modes.first()
    headers = writer_for(operator)
    refused = _mode_status(client, plan, mode.pk, {"status": "accepted", "version": 1}, headers)
    assert problem(refused, 422)["detail"].startswith("Accepting a risk needs a reason")
    body = {"status": "accepted", "reason": "Low traffic", "version": 1}
    response = _mode_status(client, plan, mode.pk, body, headers)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("accepted", 2)
    stale = _mode_status(client, plan, mode.pk, {"status": "open", "version": 1}, headers)
    assert problem(stale, 409)["current"]["status"] == "accepted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "soon", "version": 1}, "body.value"),
        ({"value": "12345678901.5", "version": 1}, "body.value"),
        ({"value": "0.123456", "version": 1}, "body.value"),
        ({"value": 1, "run_url": "not a link", "version": 1}, "body.run_url"),
        ({"value": 1}, "body.version"),
    ],
)
def test_a_bad_gate_result_is_422_naming_the_field(
    client: Client,
    operator: User,
    plan: AIPlan,
    writer_for: WriterFor,
    body: dict[str, object],
    field: str,
) -> None:
    gate = plan.gates.first()
    assert fields(_gate_result(client, plan, gate.pk, body, writer_for(operator))) == [field]
    gate.refresh_from_db()
    assert gate.version == 1


def test_a_client_may_not_change_the_plan_and_another_plans_rows_are_404(
    client: Client,
    client_user: User,
    operator: User,
    plan: AIPlan,
    foreign_engagement: Engagement,
    writer_for: WriterFor,
) -> None:
    gate, mode = plan.gates.first(), plan.failure_modes.first()
    headers = writer_for(client_user)
    problem(_gate_result(client, plan, gate.pk, {"value": 1, "version": 1}, headers), 403)
    problem(_mode_status(client, plan, mode.pk, {"status": "open", "version": 1}, headers), 403)
    foreign = _plan(foreign_engagement, operator)
    problem(
        _gate_result(
            client, plan, foreign.gates.first().pk, {"value": 1, "version": 1}, writer_for(operator)
        ),
        404,
    )
    gate.refresh_from_db()
    assert gate.version == 1


def _propose(client: Client, plan: AIPlan, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/plans/{plan.pk}/failure-mode-proposals",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


PROPOSAL = {"title": "Quotes a retired policy", "look_first": "retrieval", "evidence": "Seen."}


def test_a_client_proposes_a_failure_mode_that_the_plan_then_lists(
    client: Client, client_user: User, plan: AIPlan, writer_for: WriterFor
) -> None:
    response = _propose(client, plan, PROPOSAL, writer_for(client_user))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "proposed"
    assert FailureModeProposal.objects.get().proposed_by == client_user
    body = client.get(f"/api/v1/plans/{plan.pk}", headers=writer_for(client_user)).json()
    assert [p["title"] for p in body["proposed_failure_modes"]] == ["Quotes a retired policy"]
    assert "Quotes a retired policy" not in [m["title"] for m in body["failure_modes"]]
    assert ActivityEvent.objects.latest("id").data["via"]["token"] == "test"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "body.title"),
        ({"look_first": "vibes"}, "body.look_first"),
        ({"evidence": "x" * 4001}, "body.evidence"),
    ],
)
def test_a_bad_proposal_is_422_naming_the_field(
    client: Client,
    client_user: User,
    plan: AIPlan,
    writer_for: WriterFor,
    change: dict[str, str],
    field: str,
) -> None:
    response = _propose(client, plan, {**PROPOSAL, **change}, writer_for(client_user))
    assert fields(response) == [field]
    assert not FailureModeProposal.objects.exists()


def test_a_foreign_plan_takes_no_proposal(
    client: Client,
    client_user: User,
    operator: User,
    foreign_engagement: Engagement,
    writer_for: WriterFor,
) -> None:
    foreign = _plan(foreign_engagement, operator)
    problem(_propose(client, foreign, PROPOSAL, writer_for(client_user)), 404)
    assert not FailureModeProposal.objects.exists()
