"""schemathesis against /api/v1/openapi.json, in process on the WSGI app, with a client's token
and an operator's: every operation, with values generated from the document, must answer
without a server error and as the document says (status, content type, body, headers).
`schemathesis run http://127.0.0.1:8000/api/v1/openapi.json -H "Authorization: Bearer ..."` (or
`python -m schemathesis.cli run ...`) runs the same checks against a running server
(docs/api.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cto.aiplan.services import candidate_add, plan_start
from cto.api.services import token_create
from cto.audits import services as audit_services
from cto.checklists import services as checklist_services
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.intake.services import intake_start
from cto.playbooks.loading import playbooks_load
from cto.pricing import services as pricing_services
from cto.reports import services as report_services
from cto.users.models import User
from cto.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection at the end of each request, and with it
    the test's transaction: as Django's test client does, leave it open while the test runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass(frozen=True)
class World:
    """Something for the generated requests to find: an AI engagement with a bit of every
    resource, and the ids to send in place of generated ones (``known``)."""

    known: dict[str, dict[str, Any]]


def _world(operator: User, engagement: Engagement) -> World:
    playbooks_load(publish=True)
    Engagement.objects.filter(pk=engagement.pk).update(kind="ai")
    engagement.refresh_from_db()
    engagement = engagement_transition(engagement=engagement, to="qualified", by=operator)
    audit = audit_services.audit_open(engagement=engagement, by=operator)
    plan = plan_start(engagement=engagement, by=operator)
    candidate_add(plan=plan, name="Model A", by=operator)
    checklist = checklist_services.checklist_apply(engagement=engagement, by=operator).checklist
    item = checklist.items.get(key="access_granted")
    checklist_services.evidence_add(item=item, note="Proof", by=operator)
    quote = pricing_services.quote_draft(
        engagement=engagement, tier_keys=["ai-cto-lead"], by=operator
    )
    pricing_services.quote_send(quote=quote, by=operator)
    report = report_services.report_request(engagement=engagement, kind="week_one", by=operator)
    response = intake_start(tree_slug="cto-fit")
    question = next(iter(audit.template_version.parsed().questions))
    by_operation = {
        "engagement_detail": engagement.pk,
        "engagement_timeline": engagement.pk,
        "audit_list": engagement.pk,
        "checklist_detail": engagement.pk,
        "quote_list": engagement.pk,
        "report_list": engagement.pk,
        "report_request": engagement.pk,
        "audit_detail": audit.pk,
        "audit_answer": audit.pk,
        "plan_detail": plan.pk,
        "plan_comment_add": plan.pk,
        "plan_failure_mode_propose": plan.pk,
        "checklist_item_update": item.pk,
        "checklist_item_evidence": item.pk,
        "quote_detail": quote.pk,
        "report_detail": report.pk,
        "report_download": report.pk,
        "intake_response_detail": response.pk,
    }
    known: dict[str, dict[str, Any]] = {name: {"pk": pk} for name, pk in by_operation.items()}
    known["audit_answer"]["question"] = question
    known["plan_gate_result"] = {"pk": plan.pk, "gate_pk": plan.gates.first().pk}
    known["plan_failure_mode_update"] = {"pk": plan.pk, "mode_pk": plan.failure_modes.first().pk}
    # The receipts' uploads are multipart, as checklist evidence is: generated files are
    # unreadable ones, kept as needing review or refused with a 4xx.
    known["gate_receipt_add"] = {"gate_pk": plan.gates.first().pk}
    known["gate_receipt_list"] = {"gate_pk": plan.gates.first().pk}
    known["plan_trace_add"] = {"pk": plan.pk}
    return World(known)


def _authorization(user: User) -> dict[str, str]:
    secret = token_create(user=user, name="schemathesis", scope="read write", by=user).secret
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(operator: User, engagement: Engagement, foreign_engagement: Engagement) -> World:
    return _world(operator, engagement)


RUN = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _run(operation: Any, mode: GenerationMode, ids: dict[str, Any], auth: dict[str, str]) -> None:
    # A write of a value the document allows may still be refused by a rule the document
    # cannot say (done needs evidence, a locked audit, the practice's item, a link the service
    # refuses): that 422 problem is the page's answer, so "allowed values are accepted" is
    # checked for the reads only; every other check is made of every operation (no server
    # error, the documented status, content type, body and headers).
    excluded = [] if operation.method.upper() == "GET" else [positive_data_acceptance]

    @RUN
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        if ids and case.path_parameters is not None:
            case.path_parameters = {**case.path_parameters, **ids}
        case.call_and_validate(headers=auth, excluded_checks=excluded)

    check()


def _conforms(authorization: dict[str, str], world: World) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 25
    for operation in operations:
        known = world.known.get(operation.definition.raw["operationId"], {})
        # Values the document allows, then values it forbids (which must be refused with a 4xx).
        # The allowed ones are sent once more with the ids of the world's rows, so that the
        # reads and writes of real rows are checked too, not only their 404s.
        _run(operation, GenerationMode.POSITIVE, {}, authorization)
        if known:
            _run(operation, GenerationMode.POSITIVE, known, authorization)
        _run(operation, GenerationMode.NEGATIVE, {}, authorization)


# Each test asks for the test client, unused: the SQLite pass keeps the tests that do
# (tests/conftest.py), and the API must conform on both databases.


def test_the_api_conforms_to_its_document_with_a_client_token(
    client: Client, client_user: User, world: World
) -> None:
    _conforms(_authorization(client_user), world)


def test_the_api_conforms_to_its_document_with_an_operator_token(
    client: Client, operator: User, world: World
) -> None:
    _conforms(_authorization(operator), world)
