"""The MCP server through the official ``mcp`` Python client, over streamable HTTP against a
real server thread (live_server): what an agent's client sees. PostgreSQL only: the live server
needs a database it can share with the test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from cto.api.models import ApiToken
from cto.api.services import token_create, token_revoke
from cto.audits.models import AuditAnswer
from cto.engagements.models import ActivityEvent
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.mcp.conftest import World, make_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

T = TypeVar("T")
READS = {
    "list_engagements",
    "read_engagement",
    "read_timeline",
    "read_audit",
    "read_plan",
    "read_checklist",
    "list_reports",
}
CLIENT_WRITES = {
    "answer_audit_question",
    "add_checklist_evidence",
    "comment_on_plan",
    "propose_failure_mode",
    "add_eval_receipt",
    "add_trace",
}
OPERATOR_READS = {"list_intake_responses", "read_intake_response"}
OPERATOR_WRITES = {"request_report"}


def _secret(user: User, scope: str = ApiToken.Scope.READ_WRITE, name: str = "Ada's agent") -> str:
    return token_create(user=user, name=name, scope=scope, by=user).secret


def _run(
    url: str,
    secret: str | None,
    work: Callable[[Client], Awaitable[T]],
    *,
    mode: str = "auto",
    statuses: list[int] | None = None,
) -> T:
    """Connect as an agent's client would (the bearer token on every request), run ``work``;
    the status of each HTTP answer goes to ``statuses``."""

    async def record(response: httpx2.Response) -> None:
        if statuses is not None:
            statuses.append(response.status_code)

    async def session() -> T:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        hooks = {"response": [record]}
        async with httpx2.AsyncClient(headers=headers, timeout=30, event_hooks=hooks) as http:
            transport = streamable_http_client(url, http_client=http)
            async with Client(transport, mode=mode) as client:
                return await work(client)

    return asyncio.run(session())


def _tool_names(url: str, secret: str, *, mode: str = "auto") -> set[str]:
    async def names(client: Client) -> set[str]:
        return {tool.name for tool in (await client.list_tools()).tools}

    return _run(url, secret, names, mode=mode)


def _call(url: str, secret: str, name: str, arguments: dict[str, Any]) -> Any:
    """The tool's result; or the protocol error the client raised, returned."""

    async def call(client: Client) -> Any:
        try:
            return await client.call_tool(name, arguments)
        except MCPError as error:
            return error

    return _run(url, secret, call)


@pytest.fixture
def world_live() -> World:
    return make_world()


@pytest.fixture
def url(live_server: Any) -> str:
    return f"{live_server.url}/mcp/"


def test_a_client_and_an_operator_see_different_tools(url: str, world_live: World) -> None:
    assert _tool_names(url, _secret(world_live.member)) == READS | CLIENT_WRITES
    operator = READS | OPERATOR_READS | CLIENT_WRITES | OPERATOR_WRITES
    assert _tool_names(url, _secret(world_live.operator)) == operator


def test_a_read_token_sees_no_write_tool(url: str, world_live: World) -> None:
    assert _tool_names(url, _secret(world_live.member, scope=ApiToken.Scope.READ)) == READS


def test_a_client_on_the_2025_revisions_is_served_too(url: str, world_live: World) -> None:
    """The initialize handshake of clients older than revision 2026-07-28, served statelessly."""
    names = _tool_names(url, _secret(world_live.member), mode="legacy")
    assert names == READS | CLIENT_WRITES


def test_read_engagement_answers_the_tracker_and_next_step(url: str, world_live: World) -> None:
    result = _call(
        url,
        _secret(world_live.member),
        "read_engagement",
        {"engagement_id": world_live.engagement.pk},
    )
    assert not result.is_error
    detail = result.structured_content
    assert detail["id"] == world_live.engagement.pk
    assert detail["organization"]["name"] == "Acme Robotics"
    assert [step["stage"] for step in detail["tracker"]][:2] == ["lead", "qualified"]
    assert detail["next_step"]["text"]


def test_a_foreign_engagement_is_refused_and_nothing_of_it_is_shown(
    url: str, world_live: World
) -> None:
    foreign = EngagementFactory(title="Globex secret project")
    for name in ("read_engagement", "read_timeline", "read_checklist", "list_reports"):
        result = _call(url, _secret(world_live.member), name, {"engagement_id": foreign.pk})
        assert result.is_error, name
        assert result.content[0].text == "Nothing has that id, or nothing you may see."
        assert result.structured_content is None
    listed = _call(url, _secret(world_live.member), "list_engagements", {})
    assert [e["id"] for e in listed.structured_content["items"]] == [world_live.engagement.pk]


def test_answering_an_audit_question_is_saved_and_on_the_timeline_via_the_token(
    url: str, world_live: World
) -> None:
    question = next(iter(world_live.audit.template_version.parsed().questions))
    result = _call(
        url,
        _secret(world_live.member, name="Ada's agent"),
        "answer_audit_question",
        {"audit_id": world_live.audit.pk, "question": question, "level": 3, "note": "CI runs."},
    )
    assert not result.is_error, result.content
    assert result.structured_content["version"] == 1
    answer = AuditAnswer.objects.get(audit=world_live.audit, question=question)
    assert (answer.level, answer.note, answer.answered_by) == (3, "CI runs.", world_live.member)
    event = ActivityEvent.objects.get(verb=ActivityEvent.Verb.AUDIT_ANSWERED)
    assert event.actor == world_live.member
    assert event.data["via"]["token"] == "Ada's agent"
    timeline = _call(
        url,
        _secret(world_live.member),
        "read_timeline",
        {"engagement_id": world_live.engagement.pk, "limit": 1},
    )
    newest = timeline.structured_content["items"][0]
    assert (newest["verb"], newest["via"]["token"]) == ("audit.answered", "Ada's agent")


def test_a_read_token_may_not_call_a_write_tool(url: str, world_live: World) -> None:
    question = next(iter(world_live.audit.template_version.parsed().questions))
    refused = _call(
        url,
        _secret(world_live.member, scope=ApiToken.Scope.READ),
        "answer_audit_question",
        {"audit_id": world_live.audit.pk, "question": question, "level": 3},
    )
    # Left out of the token's tools, and called as a tool that does not exist.
    assert isinstance(refused, MCPError)
    assert refused.error.message == "Unknown tool: 'answer_audit_question'"
    assert not AuditAnswer.objects.exists()


def test_a_revoked_token_is_refused(url: str, world_live: World) -> None:
    created = token_create(user=world_live.member, name="gone", scope="read", by=world_live.member)
    token_revoke(token=created.token, by=world_live.member)
    statuses: list[int] = []

    async def names(client: Client) -> set[str]:
        return {tool.name for tool in (await client.list_tools()).tools}

    with pytest.raises(Exception):  # noqa: B017, PT011  # the client's wrapping of a 401 varies
        _run(url, created.secret, names, statuses=statuses)
    assert statuses
    assert set(statuses) == {401}
