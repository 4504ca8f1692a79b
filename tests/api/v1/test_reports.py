"""/api/v1/ reports: versions scoped as the reports card is (no draft for a client), an
operator's request through the card's form and service, the status, and the PDF for who may
download it on the page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cto.engagements.models import ActivityEvent, Engagement
from cto.reports import narratives
from cto.reports import services as report_services
from cto.reports.models import Report
from cto.users.models import User
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import WriterFor, fields, problem

pytestmark = pytest.mark.django_db


def _request(client: Client, engagement: Engagement, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/engagements/{engagement.pk}/reports",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def _write_summary(engagement: Engagement, operator: User) -> None:
    narratives.narrative_save(
        engagement=engagement,
        kind="week_one",
        summary="We found one gap.",
        findings="",
        risks="",
        next_steps=[],
        expected_version=None,
        by=operator,
    )


@pytest.fixture
def draft_and_final(engagement: Engagement, operator: User) -> tuple[Report, Report]:
    draft = report_services.report_request(engagement=engagement, kind="week_one", by=operator)
    _write_summary(engagement, operator)
    final = report_services.report_request(
        engagement=engagement, kind="week_one", by=operator, release="final"
    )
    return draft, final


def test_a_client_sees_final_versions_only(
    client: Client,
    client_user: User,
    engagement: Engagement,
    draft_and_final: tuple[Report, Report],
    bearer_for: BearerFor,
) -> None:
    draft, final = draft_and_final
    headers = bearer_for(client_user)
    body = client.get(f"/api/v1/engagements/{engagement.pk}/reports", headers=headers).json()
    assert [item["id"] for item in body["items"]] == [final.pk]
    assert body["items"][0]["status"] == "queued"
    assert body["items"][0]["download_url"] is None
    problem(client.get(f"/api/v1/reports/{draft.pk}", headers=headers), 404)
    problem(client.get(f"/api/v1/reports/{draft.pk}/download", headers=headers), 404)


def test_an_operator_sees_every_version_and_the_list_costs_fixed_queries(
    client: Client,
    operator: User,
    engagement: Engagement,
    draft_and_final: tuple[Report, Report],
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    headers = bearer_for(operator)
    url = f"/api/v1/engagements/{engagement.pk}/reports"
    assert len(client.get(url, headers=headers).json()["items"]) == 2
    # The token with its owner, the engagement, the count, the page with who asked.
    with django_assert_num_queries(4):  # type: ignore[operator]  # pytest-django's fixture
        client.get(url, headers=headers)


def test_a_foreign_report_is_404(
    client: Client,
    client_user: User,
    operator: User,
    foreign_engagement: Engagement,
    bearer_for: BearerFor,
) -> None:
    _write_summary(foreign_engagement, operator)
    foreign = report_services.report_request(
        engagement=foreign_engagement, kind="week_one", by=operator, release="final"
    )
    headers = bearer_for(client_user)
    for url in (
        f"/api/v1/reports/{foreign.pk}",
        f"/api/v1/reports/{foreign.pk}/download",
        f"/api/v1/engagements/{foreign_engagement.pk}/reports",
    ):
        problem(client.get(url, headers=headers), 404)
        problem(client.get(url), 401)


def test_an_operator_requests_a_version_as_the_card_does(
    client: Client, operator: User, engagement: Engagement, writer_for: WriterFor
) -> None:
    response = _request(client, engagement, {"kind": "week_one"}, writer_for(operator))
    assert response.status_code == 202, response.content
    body = response.json()
    report = Report.objects.get()
    assert (body["id"], body["status"], body["release"]) == (report.pk, "queued", "draft")
    assert report.requested_by == operator
    event = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.REPORT_CHANGED).latest("id")
    assert event.data["step"] == "requested"
    assert event.data["via"]["token"] == "test"


def test_a_final_without_the_practices_summary_is_refused_with_the_cards_message(
    client: Client, operator: User, engagement: Engagement, writer_for: WriterFor
) -> None:
    response = _request(client, engagement, {"release": "final"}, writer_for(operator))
    assert problem(response, 422)["detail"].startswith("A final version needs the practice's")
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"kind": "novel"}, "body.kind"), ({"release": "automatic"}, "body.release")],
)
def test_bad_input_is_422_naming_the_field(
    client: Client,
    operator: User,
    engagement: Engagement,
    writer_for: WriterFor,
    body: dict[str, object],
    field: str,
) -> None:
    assert fields(_request(client, engagement, body, writer_for(operator))) == [field]
    assert not Report.objects.exists()


def test_a_client_or_a_read_token_may_not_request(
    client: Client,
    client_user: User,
    operator: User,
    engagement: Engagement,
    bearer_for: BearerFor,
    writer_for: WriterFor,
) -> None:
    problem(_request(client, engagement, {}, writer_for(client_user)), 403)
    problem(_request(client, engagement, {}, bearer_for(operator)), 403)
    assert not Report.objects.exists()


def test_the_download_waits_for_the_pdf_then_gives_it_and_records_it(
    client: Client,
    client_user: User,
    engagement: Engagement,
    draft_and_final: tuple[Report, Report],
    bearer_for: BearerFor,
) -> None:
    _, final = draft_and_final
    headers = bearer_for(client_user)
    url = f"/api/v1/reports/{final.pk}/download"
    assert "not ready" in problem(client.get(url, headers=headers), 409)["detail"]
    report_services.report_render(report_id=final.pk)
    assert client.get(f"/api/v1/reports/{final.pk}", headers=headers).json()["download_url"]
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    event = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.REPORT_CHANGED).latest("id")
    assert (event.actor, event.data["step"]) == (client_user, "downloaded")
