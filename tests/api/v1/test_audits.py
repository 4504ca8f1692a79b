"""/api/v1/ audits: scoped as the audit pages are, the result page's figures, and answering a
question with the page's rules: stale writes, bad input, a locked audit, a read token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cto.audits import selectors, services
from cto.audits.models import Audit, AuditAnswer
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import WriterFor, fields, problem
from tests.audits.factories import small_template
from tests.audits.test_services import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(engagement: Engagement, operator: User) -> Audit:
    publish(small_template(slug=services.TEMPLATE_SLUG))
    return services.audit_open(engagement=engagement, by=operator)


@pytest.fixture
def foreign_audit(foreign_engagement: Engagement, operator: User, audit: Audit) -> Audit:
    return services.audit_open(engagement=foreign_engagement, by=operator)


def _save(audit: Audit, question: str, level: int | None, by: User, version: int | None = None):  # type: ignore[no-untyped-def]
    return services.audit_answer_save(
        audit=audit,
        raw=services.AnswerInput(question=question, level=level),
        expected_version=version,
        by=by,
    )


def _put(client: Client, audit: Audit, question: str, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/audits/{audit.pk}/answers/{question}",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_a_client_lists_their_engagements_audits_and_a_foreign_one_is_404(
    client: Client,
    client_user: User,
    engagement: Engagement,
    audit: Audit,
    foreign_audit: Audit,
    bearer_for: BearerFor,
) -> None:
    headers = bearer_for(client_user)
    body = client.get(f"/api/v1/engagements/{engagement.pk}/audits", headers=headers).json()
    assert [item["id"] for item in body["items"]] == [audit.pk]
    assert body["items"][0]["total"] == 6
    assert body["items"][0]["answered"] == 0
    for url in (
        f"/api/v1/engagements/{foreign_audit.engagement_id}/audits",
        f"/api/v1/audits/{foreign_audit.pk}",
    ):
        problem(client.get(url, headers=headers), 404)
    assert client.get(f"/api/v1/audits/{foreign_audit.pk}").status_code == 401


def test_an_operator_reads_any_audit(
    client: Client, operator: User, foreign_audit: Audit, bearer_for: BearerFor
) -> None:
    response = client.get(f"/api/v1/audits/{foreign_audit.pk}", headers=bearer_for(operator))
    assert response.status_code == 200
    assert response.json()["id"] == foreign_audit.pk


def test_the_detail_carries_the_result_pages_scores_and_flags(
    client: Client, client_user: User, audit: Audit, bearer_for: BearerFor
) -> None:
    for question, level in {"e1": 1, "e2": 0, "t1": 4}.items():
        _save(audit, question, level, client_user)
    _save(audit, "t2", None, client_user)
    body = client.get(f"/api/v1/audits/{audit.pk}", headers=bearer_for(client_user)).json()
    page = selectors.audit_result(audit=audit)
    assert body["overall"] == page.score.overall
    assert [d["score"] for d in body["dimensions"]] == [d.score for d in page.score.dimensions]
    assert [f["id"] for f in body["flags"]] == [f.rule.id for f in page.flags] == ["weak_evals"]
    assert body["answered"] == 4
    evals = body["dimensions"][0]["questions"]
    assert evals[0]["answer"]["value"] == 1
    assert evals[2]["answer"] is None
    team = body["dimensions"][1]["questions"]
    assert team[1]["answer"]["value"] == "na"


def test_the_list_costs_a_fixed_number_of_queries(
    client: Client,
    operator: User,
    engagement: Engagement,
    audit: Audit,
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    _save(audit, "e1", 2, operator)
    services.audit_lock  # noqa: B018  # (the second audit needs the first one closed)
    Audit.objects.filter(pk=audit.pk).update(status="locked", locked_at=audit.created_at)
    services.audit_open(engagement=engagement, by=operator)
    headers = bearer_for(operator)
    url = f"/api/v1/engagements/{engagement.pk}/audits"
    assert len(client.get(url, headers=headers).json()["items"]) == 2
    # The token with its owner, the engagement, the count, the page with its templates.
    with django_assert_num_queries(4):  # type: ignore[operator]  # pytest-django's fixture
        client.get(url, headers=headers)


def test_a_client_answers_a_question_as_on_the_page(
    client: Client, client_user: User, audit: Audit, writer_for: WriterFor
) -> None:
    response = _put(
        client,
        audit,
        "e1",
        {"value": 3, "note": " Rubric ", "evidence_url": "https://example.com/r"},
        writer_for(client_user),
    )
    assert response.status_code == 200, response.content
    answer = AuditAnswer.objects.get()
    assert (answer.level, answer.note, answer.answered_by, answer.version) == (
        3,
        "Rubric",
        client_user,
        1,
    )
    assert response.json()["version"] == 1
    assert response.json()["value"] == 3
    # Then "not applicable", naming the version read.
    response = _put(client, audit, "e1", {"value": "na", "version": 1}, writer_for(client_user))
    assert response.json()["value"] == "na"
    assert AuditAnswer.objects.get().not_applicable


def test_a_stale_write_is_409_with_the_stored_answer_and_writes_nothing(
    client: Client, client_user: User, operator: User, audit: Audit, writer_for: WriterFor
) -> None:
    _save(audit, "e1", 2, client_user)
    _save(audit, "e1", 4, operator, version=1)  # someone answered after the client read v1
    headers = writer_for(client_user)
    body = problem(_put(client, audit, "e1", {"value": 1, "version": 1}, headers), 409)
    assert body["current"]["value"] == 4
    assert body["current"]["version"] == 2
    assert body["current"]["answered_by"] == str(operator)
    # Without a version, as for a question nobody answered yet: stale too.
    assert problem(_put(client, audit, "e1", {"value": 1}, headers), 409)["current"]["version"] == 2
    # A version for a question nobody answered: the current state is "no answer".
    assert (
        problem(_put(client, audit, "e2", {"value": 1, "version": 3}, headers), 409)["current"]
        is None
    )
    assert AuditAnswer.objects.get(question="e1").level == 4
    assert not AuditAnswer.objects.filter(question="e2").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 5}, "body.value"),
        ({"value": -1}, "body.value"),
        ({"value": "nah"}, "body.value"),
        ({}, "body.value"),
        ({"value": 2, "evidence_url": "https://example.com/" + "x" * 500}, "body.evidence_url"),
        ({"value": 2, "note": "x" * 4001}, "body.note"),
        ({"value": 2, "version": 0}, "body.version"),
        ({"value": 2, "version": 2**40}, "body.version"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: Client,
    client_user: User,
    audit: Audit,
    writer_for: WriterFor,
    body: dict[str, object],
    field: str,
) -> None:
    response = _put(client, audit, "e1", body, writer_for(client_user))
    assert fields(response) == [field]
    assert not AuditAnswer.objects.exists()


def test_a_body_that_is_not_json_is_refused_without_a_server_error(
    client: Client, client_user: User, audit: Audit, writer_for: WriterFor
) -> None:
    response = client.put(
        f"/api/v1/audits/{audit.pk}/answers/e1",
        "value=2",
        content_type="application/json",
        headers=writer_for(client_user),
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert not AuditAnswer.objects.exists()


def test_a_link_the_service_refuses_is_422_with_its_message(
    client: Client, client_user: User, audit: Audit, writer_for: WriterFor
) -> None:
    # The form takes any URL; the service takes web addresses only, as on the page.
    body = {"value": 2, "evidence_url": "ftp://example.com/x"}
    response = _put(client, audit, "e1", body, writer_for(client_user))
    assert problem(response, 422)["detail"].startswith("The evidence link must be a web address")
    assert not AuditAnswer.objects.exists()


def test_a_locked_audit_refuses_answers_with_the_pages_message(
    client: Client, client_user: User, audit: Audit, writer_for: WriterFor
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status="locked", locked_at=audit.created_at)
    body = problem(_put(client, audit, "e1", {"value": 2}, writer_for(client_user)), 422)
    assert body["detail"] == "This audit is locked: its answers can no longer change."
    assert not AuditAnswer.objects.exists()


def test_an_unknown_question_or_a_foreign_audit_is_404(
    client: Client,
    client_user: User,
    audit: Audit,
    foreign_audit: Audit,
    writer_for: WriterFor,
) -> None:
    headers = writer_for(client_user)
    problem(_put(client, audit, "nope", {"value": 2}, headers), 404)
    problem(_put(client, foreign_audit, "e1", {"value": 2}, headers), 404)
    assert not AuditAnswer.objects.exists()


def test_a_read_token_may_not_answer(
    client: Client, client_user: User, audit: Audit, bearer_for: BearerFor
) -> None:
    problem(_put(client, audit, "e1", {"value": 2}, bearer_for(client_user)), 403)
    assert not AuditAnswer.objects.exists()
