"""Junk arguments for every tool, from an operator's "read write" token (every tool is theirs):
each call is answered, a result or an in-band refusal, never a failure of the server (an
exception in a tool is answered "failed unexpectedly" and logged: that is what this looks for)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cto.mcp import urls  # noqa: F401  # declares the tools on the server
from cto.mcp.server import server
from tests.mcp.conftest import World
from tests.mcp.test_views import _call, _secret

KEYS = (
    "engagement_id", "audit_id", "item_id", "row_id", "question", "level", "note", "url",
    "evidence_url", "row", "text", "kind", "limit", "offset", "stage", "organization",
    "updated_since", "expected_version", "junk",
)  # fmt: skip
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
    st.text(max_size=30),
    st.sampled_from(["plan", "candidate", "gate", "failure_mode", "audit", "week_one", "lead"]),
    st.sampled_from(["2026-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "https://x.example"]),
    st.lists(st.integers(), max_size=2),
)
ARGUMENTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(server._tools)),
    arguments=ARGUMENTS,
    ids=st.sampled_from(["junk", "own", "missing"]),
)
def test_junk_arguments_are_answered_never_a_failure(
    client: Client, world: World, name: str, arguments: dict[str, Any], ids: str
) -> None:
    if ids != "junk":  # past the names into the tool, with the other values still junk
        known = server._tools[name].definition["inputSchema"]["properties"]
        missing = 10**12  # a well-formed id that names nothing
        given_ids = {
            "engagement_id": world.engagement.pk if ids == "own" else missing,
            "audit_id": world.audit.pk if ids == "own" else missing,
            "item_id": world.client_item.pk if ids == "own" else missing,
        }
        arguments = {key: value for key, value in (arguments | given_ids).items() if key in known}
    result = _call(client, _secret(world.operator), name, **arguments)
    if result["isError"]:
        assert "failed unexpectedly" not in result["content"][0]["text"]
