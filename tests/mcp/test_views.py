"""/mcp/ spoken to as JSON-RPC through Django's test client, on both databases: the token, the
scope and role filters, the scoping of every id, argument validation, and what the writes leave
behind (the service's rules and the token's name on the timeline)."""

from __future__ import annotations

import base64
import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cto.aiplan.models import FailureModeProposal, PlanComment
from cto.aiplan.services import candidate_add, plan_start
from cto.api.models import ApiToken
from cto.api.services import token_create
from cto.audits import services as audit_services
from cto.checklists.models import ChecklistItem, Evidence
from cto.checklists.services import evidence_add, item_add
from cto.engagements.models import ActivityEvent
from cto.intake import services as intake_services
from cto.receipts.models import Receipt
from cto.reports.models import Report
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.intake.factories import publish_shipped_tree
from tests.mcp.conftest import World

VERSION = "2026-07-28"


def _secret(user: User, scope: str = ApiToken.Scope.READ_WRITE, name: str = "Ada's agent") -> str:
    return token_create(user=user, name=name, scope=scope, by=user).secret


def _rpc(
    client: Client, secret: str | None, method: str, params: dict[str, Any] | None = None
) -> Any:
    """One request of protocol revision 2026-07-28, with the headers it requires."""
    params = dict(params or {})
    params["_meta"] = {
        "io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    headers = {"MCP-Protocol-Version": VERSION, "Mcp-Method": method}
    if method == "tools/call":
        headers["Mcp-Name"] = params["name"]
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return client.post("/mcp/", body, content_type="application/json", headers=headers)


def _call(client: Client, secret: str, name: str, **arguments: Any) -> dict[str, Any]:
    response = _rpc(client, secret, "tools/call", {"name": name, "arguments": arguments})
    assert response.status_code == 200, response.content
    return response.json()["result"]  # type: ignore[no-any-return]


def _error(result: dict[str, Any]) -> str:
    assert result["isError"] is True, result
    return result["content"][0]["text"]  # type: ignore[no-any-return]


def _tools(client: Client, secret: str) -> set[str]:
    return {tool["name"] for tool in _rpc(client, secret, "tools/list").json()["result"]["tools"]}


# --- The token -------------------------------------------------------------------------------


def test_without_a_token_the_answer_is_401_with_a_bearer_challenge(client: Client) -> None:
    response = _rpc(client, None, "tools/list")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="mcp"'
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Send a token as Authorization: Bearer <token>."


def test_an_expired_token_is_refused(client: Client, world: World) -> None:
    created = token_create(user=world.member, name="old", scope="read", by=world.member)
    ApiToken.objects.filter(pk=created.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = _rpc(client, created.secret, "tools/list")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response.json()["detail"] == "The bearer token has expired: create a new one."


def test_a_signed_in_session_is_not_enough(client: Client, world: World) -> None:
    client.force_login(world.member)
    assert _rpc(client, None, "tools/list").status_code == 401


def test_the_tools_follow_the_scope_and_the_role(client: Client, world: World) -> None:
    read = _tools(client, _secret(world.member, scope=ApiToken.Scope.READ))
    member = _tools(client, _secret(world.member))
    operator = _tools(client, _secret(world.operator))
    assert "answer_audit_question" not in read
    assert member - read == {
        "answer_audit_question",
        "add_checklist_evidence",
        "comment_on_plan",
        "propose_failure_mode",
        "add_eval_receipt",
        "add_trace",
    }
    assert operator - member == {
        "request_report",
        "list_intake_responses",
        "read_intake_response",
    }
    operator_read = _tools(client, _secret(world.operator, scope=ApiToken.Scope.READ))
    assert operator_read - read == {"list_intake_responses", "read_intake_response"}


# --- Scoping and arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "argument"),
    [
        ("read_engagement", "engagement_id"),
        ("read_timeline", "engagement_id"),
        ("read_plan", "engagement_id"),
        ("read_checklist", "engagement_id"),
        ("list_reports", "engagement_id"),
        ("read_audit", "audit_id"),
    ],
)
def test_an_outsider_gets_nothing_of_an_engagement(
    client: Client, world: World, tool: str, argument: str
) -> None:
    ids = {"engagement_id": world.engagement.pk, "audit_id": world.audit.pk}
    own = _call(client, _secret(world.member), tool, **{argument: ids[argument]})
    assert own["isError"] is False
    result = _call(client, _secret(world.outsider), tool, **{argument: ids[argument]})
    assert _error(result) == "Nothing has that id, or nothing you may see."
    assert "structuredContent" not in result


def test_an_outsider_cannot_write_to_an_engagement(client: Client, world: World) -> None:
    secret = _secret(world.outsider)
    question = next(iter(world.audit.template_version.parsed().questions))
    refusals = [
        _call(
            client,
            secret,
            "answer_audit_question",
            audit_id=world.audit.pk,
            question=question,
            level=2,
        ),
        _call(client, secret, "add_checklist_evidence", item_id=world.client_item.pk, note="Done."),
        _call(client, secret, "comment_on_plan", engagement_id=world.engagement.pk, text="Hi"),
        _call(
            client,
            secret,
            "propose_failure_mode",
            engagement_id=world.engagement.pk,
            title="Leaks",
            look_first="prompt",
            evidence="Seen.",
        ),
    ]
    assert {_error(result) for result in refusals} == {
        "Nothing has that id, or nothing you may see."
    }
    assert not world.audit.answers.exists()
    assert not Evidence.objects.filter(item=world.client_item).exists()
    assert not PlanComment.objects.exists()
    assert not FailureModeProposal.objects.exists()


def test_arguments_are_validated_as_the_api_validates_them(client: Client, world: World) -> None:
    secret = _secret(world.member)
    too_many = _error(_call(client, secret, "list_engagements", limit=101))
    assert too_many == "Invalid arguments: limit: Input should be less than or equal to 100."
    assert "stage" in _error(_call(client, secret, "list_engagements", stage="nope"))
    misspelt = _error(_call(client, secret, "list_engagements", organisation=1))
    assert misspelt == "Invalid arguments: organisation: Extra inputs are not permitted."
    assert "engagement_id" in _error(_call(client, secret, "read_engagement"))
    assert "engagement_id" in _error(_call(client, secret, "read_engagement", engagement_id=0))


def test_list_engagements_filters_and_pages_as_the_api(client: Client, world: World) -> None:
    EngagementFactory(organization=world.engagement.organization, title="Second")
    secret = _secret(world.member)
    page = _call(client, secret, "list_engagements", limit=1)["structuredContent"]
    assert (page["count"], page["limit"], len(page["items"])) == (2, 1, 1)
    audit = _call(client, secret, "list_engagements", stage="audit")["structuredContent"]
    assert [e["id"] for e in audit["items"]] == [world.engagement.pk]


# --- Writes ------------------------------------------------------------------------------------


def test_a_stale_answer_is_refused_with_the_stored_one(client: Client, world: World) -> None:
    question = next(iter(world.audit.template_version.parsed().questions))
    audit_services.audit_answer_save(
        audit=world.audit,
        raw=audit_services.AnswerInput(question=question, level=1, note="Theirs."),
        expected_version=None,
        by=world.operator,
    )
    result = _call(
        client,
        _secret(world.member),
        "answer_audit_question",
        audit_id=world.audit.pk,
        question=question,
        level=4,
        expected_version=None,
    )
    assert "The stored answer: level 1, version 1, note 'Theirs.'" in _error(result)
    assert world.audit.answers.get().level == 1
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.AUDIT_ANSWERED).exists()


def test_an_answer_the_service_refuses_leaves_nothing(client: Client, world: World) -> None:
    result = _call(
        client,
        _secret(world.member),
        "answer_audit_question",
        audit_id=world.audit.pk,
        question="no-such-question",
        level=2,
    )
    assert _error(result) == "That question is not part of this audit."
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.AUDIT_ANSWERED).exists()


def test_evidence_follows_the_pages_rule_of_whose_item_it_is(client: Client, world: World) -> None:
    secret = _secret(world.member, name="Ada's agent")
    refused = _call(
        client,
        secret,
        "add_checklist_evidence",
        item_id=world.practice_item.pk,
        url="https://example.com/risks",
    )
    assert _error(refused) == "This item is the practice's to do; you can comment on it instead."
    added = _call(
        client,
        secret,
        "add_checklist_evidence",
        item_id=world.client_item.pk,
        url="https://example.com/access",
    )
    assert added["structuredContent"]["evidence"]["kind"] == "link"
    assert Evidence.objects.get(item=world.client_item).url == "https://example.com/access"
    event = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.CHECKLIST_CHANGED).latest("id")
    assert (event.actor, event.data["via"]["token"]) == (world.member, "Ada's agent")


def test_a_comment_names_the_token_on_the_engagement_page(client: Client, world: World) -> None:
    candidate = candidate_add(plan=world.plan, name="Model A", by=world.operator)
    other_plan = plan_start(engagement=EngagementFactory(kind="ai"), by=world.operator)
    foreign_row = candidate_add(plan=other_plan, name="Theirs", by=world.operator)
    secret = _secret(world.member, name="Ada's agent")
    refused = _call(
        client,
        secret,
        "comment_on_plan",
        engagement_id=world.engagement.pk,
        row="candidate",
        row_id=foreign_row.pk,
        text="Hm",
    )
    assert _error(refused) == "That row is not part of this plan."
    result = _call(
        client,
        secret,
        "comment_on_plan",
        engagement_id=world.engagement.pk,
        row="candidate",
        row_id=candidate.pk,
        text="Cheaper?",
    )
    assert result["structuredContent"]["row_id"] == candidate.pk
    comment = PlanComment.objects.get()
    assert (comment.author, comment.text) == (world.member, "Cheaper?")
    client.force_login(world.member)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert f"by {world.member} via Ada&#x27;s agent" in page


def test_an_operator_requests_a_draft_report(client: Client, world: World) -> None:
    secret = _secret(world.operator, name="Ops bot")
    early = _call(client, secret, "request_report", engagement_id=world.engagement.pk, kind="audit")
    assert _error(early).startswith("There is no locked audit to report on yet.")
    result = _call(client, secret, "request_report", engagement_id=world.engagement.pk)
    assert result["isError"] is False, result
    report = Report.objects.get()
    expected = ("week_one", "draft", world.operator)
    assert (report.kind, report.release, report.requested_by) == expected
    event = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.REPORT_CHANGED).latest("id")
    assert event.data["via"]["token"] == "Ops bot"


def test_a_client_cannot_request_a_report(client: Client, world: World) -> None:
    response = _rpc(
        client,
        _secret(world.member),
        "tools/call",
        {"name": "request_report", "arguments": {"engagement_id": world.engagement.pk}},
    )
    assert response.json()["error"]["message"] == "Unknown tool: 'request_report'"
    assert not Report.objects.exists()


# --- Queries -----------------------------------------------------------------------------------


def _queries(client: Client, secret: str, name: str, **arguments: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert _call(client, secret, name, **arguments)["isError"] is False
    return len(captured)


def test_the_reads_cost_the_same_however_many_rows(client: Client, world: World) -> None:
    """No query per engagement, event, item or piece of evidence."""
    secret = _secret(world.operator)
    _call(client, secret, "list_engagements")  # the token's first use stamps its last use
    engagement = {"engagement_id": world.engagement.pk}
    before = {
        "list_engagements": _queries(client, secret, "list_engagements"),
        "read_timeline": _queries(client, secret, "read_timeline", **engagement),
        "read_checklist": _queries(client, secret, "read_checklist", **engagement),
    }
    for _ in range(3):
        EngagementFactory(organization=world.engagement.organization)
    for title in ("Backups tested", "Keys rotated"):
        item = item_add(
            checklist=world.client_item.checklist,
            section="Extra",
            title=title,
            done_when="A note says so.",
            owner_side=ChecklistItem.Side.CLIENT,
            due_day=3,
            by=world.operator,
        )
        for note in ("One.", "Two."):
            evidence_add(item=item, note=note, by=world.operator)
    after = {
        "list_engagements": _queries(client, secret, "list_engagements"),
        "read_timeline": _queries(client, secret, "read_timeline", **engagement),
        "read_checklist": _queries(client, secret, "read_checklist", **engagement),
    }
    assert after == before


def test_an_agent_proposes_a_failure_mode_that_waits_for_an_operator(
    client: Client, world: World
) -> None:
    secret = _secret(world.member, name="Ada's agent")
    modes_before = world.plan.failure_modes.count()
    refused = _call(
        client,
        secret,
        "propose_failure_mode",
        engagement_id=world.engagement.pk,
        title="Leaks",
        look_first="vibes",
        evidence="Seen.",
    )
    assert _error(refused).startswith("Invalid arguments: look_first: Input should be 'prompt'")
    result = _call(
        client,
        secret,
        "propose_failure_mode",
        engagement_id=world.engagement.pk,
        title="Quotes a retired policy",
        look_first="retrieval",
        evidence="Asked about leave; the answer quoted the 2023 handbook.",
    )
    assert result["structuredContent"]["status"] == "proposed"
    proposal = FailureModeProposal.objects.get()
    assert (proposal.proposed_by, proposal.title) == (world.member, "Quotes a retired policy")
    assert world.plan.failure_modes.count() == modes_before  # counted nowhere yet
    event = world.engagement.events.latest("id")
    assert event.data["via"]["token"] == "Ada's agent"
    plan = _call(client, secret, "read_plan", engagement_id=world.engagement.pk)
    listed = plan["structuredContent"]["proposed_failure_modes"]
    assert [p["title"] for p in listed] == ["Quotes a retired policy"]


def test_an_operator_reads_the_intake_as_the_api_answers_it(client: Client, world: World) -> None:
    version = publish_shipped_tree()
    answered = intake_services.intake_start(tree_slug="cto-fit")
    intake_services.intake_answer(
        response=answered, node="building", raw={"text": "Claims agent"}, tree_version_id=version.pk
    )
    secret = _secret(world.operator, scope=ApiToken.Scope.READ)
    listed = _call(client, secret, "list_intake_responses", status="in_progress")
    assert [item["id"] for item in listed["structuredContent"]["items"]] == [answered.pk]
    detail = _call(client, secret, "read_intake_response", intake_response_id=answered.pk)
    assert detail["structuredContent"]["path"][0]["answer"] == "Claims agent"
    missing = _call(client, secret, "read_intake_response", intake_response_id=answered.pk + 99)
    assert _error(missing) == "Nothing has that id, or nothing you may see."
    assert "status" in _error(_call(client, secret, "list_intake_responses", status="lost"))


def test_a_client_has_no_intake_tool(client: Client, world: World) -> None:
    response = _rpc(
        client,
        _secret(world.member),
        "tools/call",
        {"name": "list_intake_responses", "arguments": {}},
    )
    assert response.json()["error"]["message"] == "Unknown tool: 'list_intake_responses'"


def test_an_agent_sends_an_eval_result_and_a_trace_as_receipts(
    client: Client, world: World
) -> None:
    fixtures = Path(__file__).parent.parent / "receipts" / "fixtures"
    secret = _secret(world.member, name="Ada's agent")
    golden = world.plan.gates.get(key="golden_set")
    result = _call(
        client,
        secret,
        "add_eval_receipt",
        gate_id=golden.pk,
        filename="ci/results.json",
        content=(fixtures / "promptfoo" / "results-fail.json").read_text(),
    )
    receipt = Receipt.objects.get(gate=golden)
    assert result["structuredContent"]["verdict"] == "fail"
    assert result["structuredContent"]["sha256"] == receipt.sha256
    assert receipt.filename == "results.json"  # a name, never the path it came with
    archive = (fixtures / "inspect" / "capitals-pass.eval").read_bytes()
    assert (
        receipt.sha256
        == hashlib.sha256((fixtures / "promptfoo" / "results-fail.json").read_bytes()).hexdigest()
    )
    bad = _call(
        client,
        secret,
        "add_eval_receipt",
        gate_id=golden.pk,
        filename="run.eval",
        content="not base64!",
        encoding="base64",
    )
    assert _error(bad) == "The content is not valid base64."
    sent = _call(
        client,
        secret,
        "add_eval_receipt",
        gate_id=golden.pk,
        filename="run.eval",
        content=base64.b64encode(archive).decode(),
        encoding="base64",
    )
    assert sent["structuredContent"]["format"] == "inspect"
    trace = _call(
        client,
        secret,
        "add_trace",
        engagement_id=world.engagement.pk,
        filename="trace.jsonl",
        content=(fixtures / "otlp" / "trace-pass.jsonl").read_text(),
    )
    assert trace["structuredContent"]["spans"] == 6
    assert world.engagement.events.latest("id").data["via"]["token"] == "Ada's agent"
    outsider = _call(
        client,
        _secret(world.outsider),
        "add_eval_receipt",
        gate_id=golden.pk,
        filename="results.json",
        content="{}",
    )
    assert _error(outsider) == "Nothing has that id, or nothing you may see."
    assert Receipt.objects.count() == 3
