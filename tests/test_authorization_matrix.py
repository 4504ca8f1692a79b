"""Every URL pattern of the project, asked by an anonymous visitor, a member of the client
organisation, a member of another organisation and an operator: the status each must get.

A pattern added without a row here fails `test_every_url_pattern_has_a_row`. Another
organisation's ids answer 404 (never 403: a foreign id reveals nothing), operator-only actions
send clients to sign in or answer 403, and each request runs in a transaction that is rolled
back, so no row affects the next.

Cross-cutting: it asks every app's URLs at once, so it mirrors no single module and stays at
the top of tests/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cto.aiplan.proposals import failure_mode_propose
from cto.aiplan.services import candidate_add, plan_start
from cto.api.service_accounts import service_account_create
from cto.api.services import token_create
from cto.audits import services as audit_services
from cto.checklists import services as checklist_services
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.intake.services import intake_start
from cto.playbooks.loading import playbooks_load
from cto.pricing import services as pricing_services
from cto.receipts.services import receipt_add
from cto.reports import narratives as report_narratives
from cto.reports import services as report_services
from cto.webhooks import services as webhook_services
from cto.webhooks.models import Endpoint
from tests.engagements.factories import EngagementFactory
from tests.evidence_files import clean_pdf
from tests.receipts.conftest import upload as receipt_upload
from tests.users.factories import (
    InvitationFactory,
    MembershipFactory,
    OperatorFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

# Our own namespaces and top-level names; admin and allauth test their own views.
OWN_NAMESPACES = {
    "intake",
    "engagements",
    "audits",
    "aiplan",
    "receipts",
    "checklists",
    "pricing",
    "reports",
    "users",
    "ops",
    "brand",
    "tokens",
    "api",
    "webhooks",
    "mcp",
}
OWN_TOP_LEVEL = {
    "home",
    "health",
    "pricing",
    "favicon",
    "intake_summary",
    "intake_summary_download",
}
ROLES = ("anonymous", "member", "outsider", "operator")
PDF = clean_pdf()


class _Rollback(Exception):
    pass


@dataclass
class World:
    engagement: Engagement
    ids: dict[str, Any]


@dataclass(frozen=True)
class Row:
    method: str
    url: Callable[[World], str]
    expect: tuple[int, int, int, int]  # anonymous, member, outsider, operator
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    bearer: bool = False  # the API: each signed-in role sends a token of its own, no session
    scope: str = "read"  # the scope of that token ("read write" for the API's writes)
    json_body: bool = False  # the data sent as a JSON body (the API's writes), not a form


def _row(
    method: str,
    name: str,
    kwargs: Callable[[World], dict[str, Any]] | None,
    expect: tuple[int, int, int, int],
    data: Callable[[World], dict[str, Any]] | None = None,
    *,
    bearer: bool = False,
    scope: str = "read",
    json_body: bool = False,
) -> Row:
    return Row(
        method,
        lambda world: reverse(name, kwargs=kwargs(world) if kwargs else None),
        expect,
        data or (lambda world: {}),
        bearer,
        scope,
        json_body,
    )


def _api(
    method: str,
    name: str,
    kwargs: Callable[[World], dict[str, Any]] | None,
    expect: tuple[int, int, int, int],
    data: Callable[[World], dict[str, Any]] | None = None,
    *,
    form: bool = False,
) -> Row:
    """A row of the API: a token per signed-in role, able to write when the method writes; a
    write sends JSON unless it takes a form."""
    writes = method != "get"
    return _row(
        method,
        name,
        kwargs,
        expect,
        data,
        bearer=True,
        scope="read write" if writes else "read",
        json_body=writes and not form,
    )


E = lambda world: {"pk": world.engagement.pk}  # noqa: E731  # short row builders read better
EP = lambda world: {"engagement_pk": world.engagement.pk}  # noqa: E731
ORG = lambda world: {"pk": world.engagement.organization_id}  # noqa: E731
ID = lambda key: lambda world: {"pk": world.ids[key]}  # noqa: E731

MATRIX: dict[str, Row] = {
    "home": _row("get", "home", None, (200, 200, 200, 200)),
    "health": _row("get", "health", None, (200, 200, 200, 200)),
    "favicon": _row("get", "favicon", None, (302, 302, 302, 302)),
    # The practice's colours and logo: public, as the pages that use them.
    "brand:stylesheet": _row("get", "brand:stylesheet", None, (200, 200, 200, 200)),
    "brand:logo": _row("get", "brand:logo", None, (200, 200, 200, 200)),
    "pricing": _row("get", "pricing", None, (200, 200, 200, 200)),
    # The intake is public; without a response in the session every step leads to the start.
    "intake:home": _row("get", "intake:home", None, (200, 200, 200, 200)),
    "intake:start": _row("post", "intake:start", None, (302, 302, 302, 302)),
    "intake:question": _row(
        "get", "intake:question", lambda w: {"node": "building"}, (302, 302, 302, 302)
    ),
    "intake:result": _row("get", "intake:result", None, (302, 302, 302, 302)),
    "intake:thanks": _row("get", "intake:thanks", None, (200, 200, 200, 200)),
    "intake:resume": _row(
        "get", "intake:resume", lambda w: {"token": "not-a-token"}, (404, 404, 404, 404)
    ),
    "intake:email_link": _row("post", "intake:email_link", None, (302, 302, 302, 302)),
    # Only the browser holding sent answers may ask for a first call: nobody here does.
    "intake:call": _row("post", "intake:call", None, (404, 404, 404, 404)),
    "intake:confirm": _row(
        "get", "intake:confirm", lambda w: {"token": "not-a-token"}, (404, 404, 404, 404)
    ),
    "engagements:portal_home": _row("get", "engagements:portal_home", None, (302, 200, 200, 200)),
    "engagements:portal_detail": _row("get", "engagements:portal_detail", E, (302, 200, 404, 200)),
    "audits:detail": _row("get", "audits:detail", ID("audit"), (302, 200, 404, 200)),
    "audits:result": _row("get", "audits:result", ID("audit"), (302, 200, 404, 200)),
    "audits:answer": _row(
        "post",
        "audits:answer",
        lambda w: {"pk": w.ids["audit"], "question": w.ids["question"]},
        (302, 303, 404, 303),
        lambda w: {"value": "2"},
    ),
    "audits:lock": _row("post", "audits:lock", ID("audit"), (302, 302, 302, 303)),
    "audits:open": _row("post", "audits:open", EP, (302, 302, 302, 303)),
    "aiplan:start": _row("post", "aiplan:start", EP, (302, 302, 302, 303)),
    "aiplan:detail": _row("get", "aiplan:detail", ID("plan"), (302, 200, 404, 200)),
    "aiplan:export": _row("get", "aiplan:export", ID("plan"), (302, 200, 404, 200)),
    "aiplan:criterion_add": _row(
        "post",
        "aiplan:criterion_add",
        ID("plan"),
        (302, 403, 404, 303),
        lambda w: {"label": "Vibes", "weight": "3"},
    ),
    "aiplan:criterion_weight": _row(
        "post",
        "aiplan:criterion_weight",
        lambda w: {"pk": w.ids["plan"], "criterion_pk": w.ids["criterion"]},
        (302, 403, 404, 303),
        lambda w: {"weight": "5"},
    ),
    "aiplan:candidate_add": _row(
        "post", "aiplan:candidate_add", ID("plan"), (302, 403, 404, 303), lambda w: {"name": "Z"}
    ),
    "aiplan:cell_score": _row(
        "post",
        "aiplan:cell_score",
        ID("plan"),
        (302, 403, 404, 303),
        lambda w: {"candidate": w.ids["candidate"], "criterion": w.ids["criterion"], "score": "3"},
    ),
    "aiplan:choose": _row(
        "post",
        "aiplan:choose",
        ID("plan"),
        (302, 403, 404, 303),
        lambda w: {"chosen": w.ids["candidate"], "rationale": "Best"},
    ),
    "aiplan:gate_result": _row(
        "post",
        "aiplan:gate_result",
        lambda w: {"pk": w.ids["plan"], "gate_pk": w.ids["gate"]},
        (302, 403, 404, 303),
        lambda w: {"value": "0.95"},
    ),
    "aiplan:failure_mode_status": _row(
        "post",
        "aiplan:failure_mode_status",
        lambda w: {"pk": w.ids["plan"], "mode_pk": w.ids["mode"]},
        (302, 403, 404, 303),
        lambda w: {"status": "mitigated"},
    ),
    "aiplan:comment_add": _row(
        "post", "aiplan:comment_add", ID("plan"), (302, 303, 404, 303), lambda w: {"text": "Hello"}
    ),
    "aiplan:failure_mode_propose": _row(
        "post",
        "aiplan:failure_mode_propose",
        ID("plan"),
        (302, 303, 404, 303),
        lambda w: {"title": "Leaks", "look_first": "prompt", "evidence": "Seen."},
    ),
    # Receipts: anyone who may see the plan sends files and proposes failing cases.
    "receipts:upload": _row(
        "post",
        "receipts:upload",
        lambda w: {"pk": w.ids["plan"], "gate_pk": w.ids["gate"]},
        (302, 303, 404, 303),
        lambda w: {"file": receipt_upload("junit/junit-pass.xml")},
    ),
    "receipts:trace_upload": _row(
        "post",
        "receipts:trace_upload",
        ID("plan"),
        (302, 303, 404, 303),
        lambda w: {"file": receipt_upload("otlp/trace-pass.jsonl")},
    ),
    "receipts:download": _row(
        "get",
        "receipts:download",
        lambda w: {"pk": w.ids["plan"], "receipt_pk": w.ids["receipt"]},
        (302, 200, 404, 200),
    ),
    "receipts:propose": _row(
        "post",
        "receipts:propose",
        lambda w: {"pk": w.ids["plan"], "receipt_pk": w.ids["receipt"]},
        (302, 303, 404, 303),
        lambda w: {"case_id": w.ids["case"]},
    ),
    "aiplan:proposal_confirm": _row(
        "post",
        "aiplan:proposal_confirm",
        lambda w: {"pk": w.ids["plan"], "proposal_pk": w.ids["proposal"]},
        (302, 403, 404, 303),
        lambda w: {"likelihood": "2", "impact": "3"},
    ),
    "aiplan:proposal_dismiss": _row(
        "post",
        "aiplan:proposal_dismiss",
        lambda w: {"pk": w.ids["plan"], "proposal_pk": w.ids["proposal"]},
        (302, 403, 404, 303),
        lambda w: {"reason": "Covered already"},
    ),
    "checklists:detail": _row("get", "checklists:detail", EP, (302, 200, 404, 200)),
    "checklists:apply": _row("post", "checklists:apply", EP, (302, 302, 302, 303)),
    "checklists:item_add": _row(
        "post",
        "checklists:item_add",
        EP,
        (302, 302, 302, 303),
        lambda w: {"title": "Extra", "done_when": "Proof", "owner_side": "client", "due_day": "2"},
    ),
    "checklists:item_status": _row(
        "post",
        "checklists:item_status",
        ID("item"),
        (302, 303, 404, 303),
        lambda w: {"status": "in_progress"},
    ),
    "checklists:item_evidence": _row(
        "post",
        "checklists:item_evidence",
        ID("item"),
        (302, 303, 404, 303),
        lambda w: {"note": "Proof"},
    ),
    "checklists:item_owner": _row(
        "post", "checklists:item_owner", ID("item"), (302, 303, 404, 303), lambda w: {"owner": ""}
    ),
    "checklists:item_drop": _row(
        "post",
        "checklists:item_drop",
        ID("item"),
        (302, 303, 404, 303),
        lambda w: {"reason": "Not needed"},
    ),
    "checklists:evidence_download": _row(
        "get", "checklists:evidence_download", ID("evidence"), (302, 200, 404, 200)
    ),
    "checklists:due_this_week": _row("get", "checklists:due_this_week", None, (302, 302, 302, 200)),
    "pricing:quote": _row("get", "pricing:quote", ID("quote"), (302, 200, 404, 200)),
    "pricing:accept": _row(
        "post",
        "pricing:accept",
        ID("quote"),
        (302, 303, 404, 422),  # an operator may not sign for the client: the page says so
        lambda w: {"agree": "yes", "option": w.ids["option"], "full_name": "Pat Lee"},
    ),
    "pricing:decline": _row("post", "pricing:decline", ID("quote"), (302, 303, 404, 303)),
    "pricing:send": _row("post", "pricing:send", ID("quote"), (302, 403, 404, 303)),
    "pricing:revise": _row("post", "pricing:revise", ID("quote"), (302, 403, 404, 303)),
    "pricing:line_add": _row(
        "post",
        "pricing:line_add",
        ID("quote"),
        (302, 403, 404, 303),
        lambda w: {
            "option": w.ids["option"],
            "label": "Extra",
            "kind": "amount",
            "period": "monthly",
            "value": "100",
        },
    ),
    "pricing:line_remove": _row(
        "post",
        "pricing:line_remove",
        lambda w: {"pk": w.ids["quote"], "line_pk": w.ids["line"]},
        (302, 403, 404, 303),
    ),
    "pricing:new": _row(
        "post", "pricing:new", EP, (302, 302, 302, 303), lambda w: {"tier": ["ai-cto-lead"]}
    ),
    "pricing:revenue": _row("get", "pricing:revenue", None, (302, 302, 302, 200)),
    "reports:generate": _row("post", "reports:generate", EP, (302, 302, 302, 303)),
    "reports:download": _row("get", "reports:download", ID("report"), (302, 200, 404, 200)),
    "reports:card": _row("get", "reports:card", EP, (302, 200, 404, 200)),
    # The practice's text is written by operators; clients are sent to the operators' sign-in.
    "reports:narrative": _row(
        "get",
        "reports:narrative",
        lambda w: {"engagement_pk": w.engagement.pk, "kind": "week_one"},
        (302, 302, 302, 200),
    ),
    # The world's report is queued, not failed: the operator is told so on the engagement page.
    "reports:retry": _row("post", "reports:retry", ID("report"), (302, 302, 302, 303)),
    # A prospect's summary is found through their own session: none here, so nothing to see.
    "intake_summary": _row("get", "intake_summary", None, (200, 200, 200, 200)),
    "intake_summary_download": _row("get", "intake_summary_download", None, (404, 404, 404, 404)),
    # Team pages: members read (operators too), only owners change: the world's member is
    # not an owner. Rows are made inside each request's rolled-back transaction.
    "users:team": _row("get", "users:team", ORG, (302, 200, 404, 200)),
    "users:invite": _row(
        "post",
        "users:invite",
        ORG,
        (302, 403, 404, 403),
        lambda w: {"email": "new@client-a.example", "role": "member"},
    ),
    "users:invitation_revoke": _row(
        "post",
        "users:invitation_revoke",
        lambda w: {"pk": InvitationFactory(organization=w.engagement.organization).pk},
        (302, 403, 404, 403),
    ),
    "users:membership_remove": _row(
        "post",
        "users:membership_remove",
        lambda w: {"pk": MembershipFactory(organization=w.engagement.organization).pk},
        (302, 403, 404, 403),
    ),
    # The emailed link opens for anyone; signed in with another address, it is refused.
    "users:invitation": _row(
        "get",
        "users:invitation",
        lambda w: {"token": InvitationFactory(organization=w.engagement.organization).token},
        (200, 403, 403, 403),
    ),
    # The operator dashboard: staff only; everyone else is sent to sign in, as for every
    # operator-only view.
    "ops:dashboard": _row("get", "ops:dashboard", None, (302, 302, 302, 200)),
    "ops:search": _row("get", "ops:search", None, (302, 302, 302, 200), lambda w: {"q": "client"}),
    "ops:advance": _row(
        "post", "ops:advance", E, (302, 302, 302, 303), lambda w: {"to": "proposal"}
    ),
    "ops:report": _row("post", "ops:report", E, (302, 302, 302, 303)),
    # Every organisation's rows: operators only.
    "ops:export": _row("get", "ops:export", lambda w: {"key": "leads"}, (302, 302, 302, 200)),
    # A person's own API tokens: nobody revokes another's, operators included.
    "tokens:list": _row("get", "tokens:list", None, (302, 200, 200, 200)),
    "tokens:revoke": _row("post", "tokens:revoke", ID("token"), (302, 303, 404, 404)),
    # Service accounts are the operators' alone: anyone else is sent to their sign-in.
    "tokens:service_accounts": _row("get", "tokens:service_accounts", None, (302, 302, 302, 200)),
    "tokens:service_account_token_create": _row(
        "post",
        "tokens:service_account_token_create",
        ID("service_account"),
        (302, 302, 302, 201),
        lambda w: {"name": "CI", "scope": "read", "days": "30"},
    ),
    "tokens:service_account_token_revoke": _row(
        "post",
        "tokens:service_account_token_revoke",
        lambda w: {"pk": w.ids["service_account"], "token_pk": w.ids["service_token"]},
        (302, 302, 302, 303),
    ),
    "tokens:service_account_deactivate": _row(
        "post",
        "tokens:service_account_deactivate",
        ID("service_account"),
        (302, 302, 302, 303),
    ),
    # The API: its document and docs are public; every resource wants a token (401 without
    # one, whatever the session), and a foreign id is 404 as on the pages.
    "api:openapi-json": _row("get", "api:openapi-json", None, (200, 200, 200, 200)),
    "api:openapi-view": _row("get", "api:openapi-view", None, (200, 200, 200, 200)),
    "api:api-root": _row("get", "api:api-root", None, (302, 302, 302, 302)),
    "api:engagement_list": _row(
        "get", "api:engagement_list", None, (401, 200, 200, 200), bearer=True
    ),
    "api:engagement_detail": _row(
        "get", "api:engagement_detail", E, (401, 200, 404, 200), bearer=True
    ),
    "api:engagement_timeline": _row(
        "get", "api:engagement_timeline", E, (401, 200, 404, 200), bearer=True
    ),
    # Operators only: a client's token is 403 whatever the id (docs/api.md).
    "api:intake_response_list": _api("get", "api:intake_response_list", None, (401, 403, 403, 200)),
    "api:intake_response_detail": _api(
        "get", "api:intake_response_detail", ID("intake"), (401, 403, 403, 200)
    ),
    "api:audit_list": _api("get", "api:audit_list", E, (401, 200, 404, 200)),
    "api:audit_detail": _api("get", "api:audit_detail", ID("audit"), (401, 200, 404, 200)),
    "api:audit_answer": _api(
        "put",
        "api:audit_answer",
        lambda w: {"pk": w.ids["audit"], "question": w.ids["question"]},
        (401, 200, 404, 200),
        lambda w: {"value": 2},
    ),
    "api:plan_detail": _api("get", "api:plan_detail", ID("plan"), (401, 200, 404, 200)),
    "api:plan_comment_add": _api(
        "post", "api:plan_comment_add", ID("plan"), (401, 201, 404, 201), lambda w: {"text": "Hi"}
    ),
    "api:plan_failure_mode_propose": _api(
        "post",
        "api:plan_failure_mode_propose",
        ID("plan"),
        (401, 201, 404, 201),
        lambda w: {"title": "Leaks", "look_first": "prompt", "evidence": "Seen."},
    ),
    # The plan's changes are the practice's: a client's token is 403 on their own plan.
    "api:plan_gate_result": _api(
        "put",
        "api:plan_gate_result",
        lambda w: {"pk": w.ids["plan"], "gate_pk": w.ids["gate"]},
        (401, 403, 404, 200),
        lambda w: {"value": "0.95", "version": 1},
    ),
    "api:plan_failure_mode_update": _api(
        "patch",
        "api:plan_failure_mode_update",
        lambda w: {"pk": w.ids["plan"], "mode_pk": w.ids["mode"]},
        (401, 403, 404, 200),
        lambda w: {"status": "mitigated", "version": 1},
    ),
    "api:gate_receipt_add": _api(
        "post",
        "api:gate_receipt_add",
        lambda w: {"gate_pk": w.ids["gate"]},
        (401, 201, 404, 201),
        lambda w: {"file": receipt_upload("junit/junit-pass.xml")},
        form=True,
    ),
    "api:gate_receipt_list": _api(
        "get", "api:gate_receipt_list", lambda w: {"gate_pk": w.ids["gate"]}, (401, 200, 404, 200)
    ),
    "api:plan_trace_add": _api(
        "post",
        "api:plan_trace_add",
        ID("plan"),
        (401, 201, 404, 201),
        lambda w: {"file": receipt_upload("otlp/trace-pass.jsonl")},
        form=True,
    ),
    "api:checklist_detail": _api("get", "api:checklist_detail", E, (401, 200, 404, 200)),
    "api:checklist_item_update": _api(
        "patch",
        "api:checklist_item_update",
        ID("item"),
        (401, 200, 404, 200),
        lambda w: {"status": "in_progress", "version": 1},
    ),
    # A form post, as a file upload is; the other writes send JSON.
    "api:checklist_item_evidence": _api(
        "post",
        "api:checklist_item_evidence",
        ID("item"),
        (401, 201, 404, 201),
        lambda w: {"note": "Proof"},
        form=True,
    ),
    "api:quote_list": _api("get", "api:quote_list", E, (401, 200, 404, 200)),
    "api:quote_detail": _api("get", "api:quote_detail", ID("quote"), (401, 200, 404, 200)),
    "api:report_list": _api("get", "api:report_list", E, (401, 200, 404, 200)),
    # The reports card is the practice's: a client's token is refused.
    "api:report_request": _api(
        "post", "api:report_request", E, (401, 403, 403, 202), lambda w: {"kind": "week_one"}
    ),
    "api:report_detail": _api("get", "api:report_detail", ID("report"), (401, 200, 404, 200)),
    "api:report_download": _api("get", "api:report_download", ID("report"), (401, 200, 404, 200)),
    "api:not_found": _row(
        "get", "api:not_found", lambda w: {"rest": "nothing"}, (404, 404, 404, 404), bearer=True
    ),
    # Webhooks: the page is everyone's (a member who is not an owner is told only owners
    # register); the world's endpoint is Client A's, managed by its owners and operators. The
    # world's member is not an owner (403); the outsider is not in Client A (404).
    "webhooks:list": _row("get", "webhooks:list", None, (302, 200, 200, 200)),
    "webhooks:detail": _row("get", "webhooks:detail", ID("webhook"), (302, 403, 404, 200)),
    "webhooks:delete": _row("post", "webhooks:delete", ID("webhook"), (302, 403, 404, 303)),
    "webhooks:replay": _row("post", "webhooks:replay", ID("delivery"), (302, 403, 404, 303)),
    # MCP answers a tool's refusal in-band (HTTP 200, isError): the outsider's call of the
    # engagement is refused inside the 200, as tests/mcp/test_views.py asserts on the content.
    "mcp:server": _row(
        "post",
        "mcp:server",
        None,
        (401, 200, 200, 200),
        lambda w: {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "read_engagement", "arguments": {"engagement_id": w.engagement.pk}},
        },
        bearer=True,
        json_body=True,  # JSON-RPC
    ),
}


def _own_pattern_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if namespace in OWN_NAMESPACES:
                    names.add(f"{namespace}:{pattern.name}")
                elif namespace is None and pattern.name in OWN_TOP_LEVEL:
                    names.add(pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_pattern_has_a_row() -> None:
    missing = _own_pattern_names() - set(MATRIX)
    assert not missing, f"Add these URL patterns to the authorisation matrix: {sorted(missing)}"
    assert not set(MATRIX) - _own_pattern_names(), "The matrix names patterns that no longer exist"


def _world(*, render_report: bool = False) -> tuple[World, dict[str, Any]]:
    """An AI engagement with a bit of everything, its member, an outsider and an operator."""
    playbooks_load(publish=True)
    operator = OperatorFactory()
    organization = OrganizationFactory(name="Client A")
    member = MembershipFactory(organization=organization).user
    outsider = MembershipFactory(organization=OrganizationFactory(name="Client B")).user
    engagement = EngagementFactory(organization=organization, kind="ai", lead=operator)
    engagement = engagement_transition(engagement=engagement, to="qualified", by=operator)
    audit = audit_services.audit_open(engagement=engagement, by=operator)
    plan = plan_start(engagement=engagement, by=operator)
    candidate = candidate_add(plan=plan, name="Model A", by=operator)
    checklist = checklist_services.checklist_apply(engagement=engagement, by=operator).checklist
    item = checklist.items.get(key="access_granted")  # a client-side item
    evidence = checklist_services.evidence_add(
        item=checklist.items.get(key="risk_map"),
        upload=SimpleUploadedFile("r.pdf", PDF),
        by=operator,
    )
    quote = pricing_services.quote_draft(
        engagement=engagement, tier_keys=["ai-cto-lead"], by=operator
    )
    line = quote.options.get().lines.create(
        label="Removable", amount=100, driver="test", position=9
    )
    pricing_services.quote_send(quote=quote, by=operator)
    # A final version, which the client may download (a draft is for operators only).
    report_narratives.narrative_save(
        engagement=engagement,
        kind="week_one",
        summary="We found one gap.",
        findings="",
        risks="",
        next_steps=[],
        expected_version=None,
        by=operator,
    )
    report = report_services.report_request(
        engagement=engagement, kind="week_one", by=operator, release="final"
    )
    if render_report:  # a PDF takes a second to render: only the download row needs it
        report_services.report_render(report_id=report.pk)
    # On another gate than ids["gate"], whose version the gate-result row sends.
    receipt = receipt_add(
        gate=plan.gates.last(), upload=receipt_upload("promptfoo/results-fail.json"), by=member
    )
    ids = {
        "receipt": receipt.pk,
        "case": receipt.failing_cases[0]["id"],
        "report": report.pk,
        "audit": audit.pk,
        "question": next(iter(audit.template_version.parsed().questions)),
        "plan": plan.pk,
        "criterion": plan.criteria.first().pk,
        "candidate": candidate.pk,
        "gate": plan.gates.first().pk,
        "mode": plan.failure_modes.first().pk,
        "proposal": failure_mode_propose(
            plan=plan, title="Stale answers", look_first="cache", evidence="Seen.", by=member
        ).pk,
        "item": item.pk,
        "evidence": evidence.pk,
        "quote": quote.pk,
        "option": quote.options.get().pk,
        "line": line.pk,
        "token": token_create(user=member, name="CI", scope="read", by=member).token.pk,
        "intake": intake_start(tree_slug="cto-fit").pk,
    }
    service_account = service_account_create(name="Acme CI", organization=None, by=operator)
    ids["service_account"] = service_account.pk
    ids["service_token"] = token_create(
        user=service_account, name="CI", scope="read", by=operator
    ).token.pk
    # Set as the scene, not through endpoint_create: its check resolves the host's name.
    webhook = Endpoint.objects.create(
        organization=organization,
        url="https://hooks.client-a.example/in",
        secret=webhook_services.secret_make(),
        event_types=["engagement.stage_changed"],
    )
    stage_changed = engagement.events.filter(verb="engagement.stage_changed").first()
    ids["webhook"] = webhook.pk
    ids["delivery"] = webhook_services.outbox_write(event=stage_changed)[0].pk
    users = {"anonymous": None, "member": member, "outsider": outsider, "operator": operator}
    return World(Engagement.objects.get(pk=engagement.pk), ids), users


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_who_gets_what(name: str) -> None:
    row = MATRIX[name]
    world, users = _world(render_report=name in ("reports:download", "api:report_download"))
    seen = {}
    for role in ROLES:
        client = Client()
        headers = {}
        try:
            with transaction.atomic():
                user = users[role]
                if user is not None and row.bearer:
                    secret = token_create(user=user, name=role, scope=row.scope, by=user).secret
                    headers["Authorization"] = f"Bearer {secret}"
                elif user is not None:
                    client.force_login(user)
                data = row.data(world)
                if row.json_body:
                    response = getattr(client, row.method)(
                        row.url(world), json.dumps(data), "application/json", headers=headers
                    )
                else:
                    response = getattr(client, row.method)(row.url(world), data, headers=headers)
                seen[role] = response.status_code
                raise _Rollback
        except _Rollback:
            pass
    assert seen == dict(zip(ROLES, row.expect, strict=True))
