"""/api/v1/ receipts: a CI job sends an eval result to a gate and a trace to the plan; the
verdict comes back, is the one the page and the timeline show, and is scoped as the plan."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cto.aiplan.models import AIPlan, EvalGate
from cto.aiplan.services import plan_start
from cto.engagements.models import ActivityEvent, Engagement
from cto.receipts.models import Receipt
from cto.users.models import User
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import WriterFor, problem
from tests.receipts.conftest import FIXTURES, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(engagement: Engagement, operator: User) -> AIPlan:
    return plan_start(engagement=engagement, by=operator)


@pytest.fixture
def golden(plan: AIPlan) -> EvalGate:
    """The starter's golden-set gate: pass rate at least 0.90, blocks release."""
    return plan.gates.get(key="golden_set")


def send(client: Client, gate: EvalGate, file: SimpleUploadedFile, headers):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/gates/{gate.pk}/receipts", {"file": file}, headers=headers)


def test_a_result_file_gives_its_verdict_and_is_kept_with_its_hash(
    client: Client, client_user: User, golden: EvalGate, writer_for: WriterFor
) -> None:
    response = send(client, golden, upload("promptfoo/results-fail.json"), writer_for(client_user))

    assert response.status_code == 201, response.content
    body = response.json()
    data = (FIXTURES / "promptfoo/results-fail.json").read_bytes()
    assert {k: body[k] for k in ("verdict", "value", "cases", "passed", "format", "sha256")} == {
        "verdict": "fail",
        "value": "0.7",
        "cases": 10,
        "passed": 7,
        "format": "promptfoo",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert (body["tool"], body["tool_version"]) == ("promptfoo", "0.121.20")
    assert body["summary"] == "0.7 from 7 of 10 cases"
    assert body["rule"] == {
        "measure": "pass_rate",
        "subject": "",
        "comparison": ">=",
        "threshold": "0.9",
    }
    receipt = Receipt.objects.get()
    assert body["download_url"] == f"http://testserver{receipt.download_url}"
    added = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PLAN_CHANGED).latest("id")
    assert added.data["via"]["token"] == "test"


def test_the_gate_verdict_agrees_on_the_page_the_api_and_the_timeline(
    client: Client, client_user: User, golden: EvalGate, writer_for: WriterFor, operator: User
) -> None:
    headers = writer_for(client_user)
    send(client, golden, upload("promptfoo/results-fail.json"), headers)
    sent = send(client, golden, upload("inspect/capitals-pass.eval"), headers).json()

    detail = client.get(f"/api/v1/plans/{golden.plan_id}", headers=headers).json()
    gate = next(g for g in detail["gates"] if g["id"] == golden.pk)
    client.force_login(operator)
    page = client.get(reverse("aiplan:detail", args=[golden.plan_id])).text
    timeline = client.get(golden.plan.engagement.get_absolute_url()).text
    latest = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.GATE_VERDICT).latest("id")

    assert (sent["verdict"], gate["verdict"], latest.data["to"]) == ("pass", "pass", "pass")
    assert gate["verdict_source"] == "receipt"
    assert gate["latest_receipt"]["sha256"] == sent["sha256"]
    assert gate["latest_receipt"]["summary"] == "1 from 5 of 5 cases"
    assert (
        f'id="gate-{golden.pk}-verdict">\n            <span class="badge verdict-pass">pass' in page
    )
    assert "Eval gate Golden-set accuracy: fail → pass" in timeline


def test_the_history_lists_every_receipt_newest_first(
    client: Client, operator: User, golden: EvalGate, writer_for: WriterFor
) -> None:
    headers = writer_for(operator)
    first = send(client, golden, upload("junit/junit-mixed.xml"), headers).json()
    second = send(client, golden, upload("junit/junit-pass.xml"), headers).json()

    history = client.get(f"/api/v1/gates/{golden.pk}/receipts", headers=headers)

    assert history.status_code == 200
    assert [(r["id"], r["verdict"]) for r in history.json()] == [
        (second["id"], "pass"),
        (first["id"], "fail"),
    ]


def test_a_trace_is_kept_on_the_plan(
    client: Client, client_user: User, plan: AIPlan, writer_for: WriterFor
) -> None:
    response = client.post(
        f"/api/v1/plans/{plan.pk}/traces",
        {"file": upload("otlp/trace-pass.jsonl")},
        headers=writer_for(client_user),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["gate"], body["verdict"], body["format"]) == (
        "trace",
        None,
        None,
        "otlp",
    )
    assert body["spans"] == 6
    assert len(body["trace_ids"]) == 1
    assert len(body["trace_ids"][0]) == 32


def test_a_hostile_file_is_422_with_nothing_kept(
    client: Client, operator: User, golden: EvalGate, writer_for: WriterFor
) -> None:
    deep = b'{"evalId": "x", "results": ' + b"[" * 100 + b"]" * 100 + b"}"

    response = send(client, golden, SimpleUploadedFile("results.json", deep), writer_for(operator))

    body = problem(response, 422)
    assert body["detail"] == "The JSON is nested deeper than 64 levels. Nothing was kept."
    assert not Receipt.objects.exists()


def test_a_missing_file_is_422(
    client: Client, operator: User, golden: EvalGate, writer_for: WriterFor
) -> None:
    response = client.post(
        f"/api/v1/gates/{golden.pk}/receipts", {"note": "x"}, headers=writer_for(operator)
    )
    assert response.status_code in (400, 422)
    assert not Receipt.objects.exists()


def test_a_foreign_member_gets_404_and_a_read_token_403(
    client: Client,
    client_user: User,
    golden: EvalGate,
    writer_for: WriterFor,
    bearer_for: BearerFor,
    foreign_engagement: Engagement,
) -> None:
    stranger = User.objects.create_user(email="stranger@example.com", password="x")
    foreign_engagement.organization.memberships.create(user=stranger, role="member")

    foreign = send(client, golden, upload("junit/junit-pass.xml"), writer_for(stranger))
    foreign_list = client.get(f"/api/v1/gates/{golden.pk}/receipts", headers=writer_for(stranger))
    foreign_trace = client.post(
        f"/api/v1/plans/{golden.plan_id}/traces",
        {"file": upload("otlp/trace-pass.jsonl")},
        headers=writer_for(stranger),
    )
    read_only = send(client, golden, upload("junit/junit-pass.xml"), bearer_for(client_user))

    problem(foreign, 404)
    problem(foreign_list, 404)
    problem(foreign_trace, 404)
    problem(read_only, 403)
    assert not Receipt.objects.exists()
