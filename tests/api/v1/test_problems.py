"""Every error of /api/v1/ is an RFC 9457 problem document, whichever part of the stack
answers it: ninja's validation, the token check, a selector's 404, the URL resolver, a method
the path does not take."""

from __future__ import annotations

import pytest
from django.test import Client

from cto.engagements.models import Engagement
from cto.users.models import User
from tests.api.conftest import BearerFor

pytestmark = pytest.mark.django_db


def _is_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/api/v1/engagements/0", 404, "Not Found"),
        ("/api/v1/engagements/99999999999999999999999", 404, "Not Found"),
        ("/api/v1/engagements/abc", 404, "Not Found"),
        ("/api/v1/nothing/here", 404, "Not Found"),
        ("/api/v1/engagements/%0A", 404, "Not Found"),  # a line break: no resource either
        ("/api/v1/checklist-items/1%0A/evidence", 404, "Not Found"),
        ("/api/v1/engagements?limit=1000", 422, "Unprocessable Entity"),
    ],
)
def test_errors_are_problem_documents(
    client: Client,
    client_user: User,
    bearer_for: BearerFor,
    path: str,
    status: int,
    title: str,
) -> None:
    body = _is_problem(client.get(path, headers=bearer_for(client_user)), status)
    assert body["title"] == title


def test_a_method_the_path_does_not_take_is_405_with_allow(
    client: Client, client_user: User, engagement: Engagement, bearer_for: BearerFor
) -> None:
    response = client.delete(
        f"/api/v1/engagements/{engagement.pk}", headers=bearer_for(client_user)
    )
    _is_problem(response, 405)
    assert response["Allow"] == "GET"
    assert Engagement.objects.filter(pk=engagement.pk).exists()


def test_validation_errors_list_the_fields_without_echoing_the_input(
    client: Client, client_user: User, bearer_for: BearerFor
) -> None:
    hostile = "<script>alert(1)</script>"
    response = client.get(
        "/api/v1/engagements", {"stage": hostile, "limit": "0"}, headers=bearer_for(client_user)
    )
    body = _is_problem(response, 422)
    assert {error["field"] for error in body["errors"]} == {"query.stage", "query.limit"}  # type: ignore[attr-defined]
    assert hostile not in response.text


def test_the_api_root_leads_to_the_docs(client: Client) -> None:
    response = client.get("/api/v1/")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"


@pytest.mark.parametrize("method", ["put", "patch", "post", "delete"])
def test_a_write_to_a_path_the_api_does_not_have_is_a_404_problem_not_a_csrf_page(
    client: Client, client_user: User, bearer_for: BearerFor, method: str
) -> None:
    checked = Client(enforce_csrf_checks=True)  # as a real client meets the site
    response = getattr(checked, method)(
        "/api/v1/audits/-1/answers/x", headers=bearer_for(client_user, "read write")
    )
    _is_problem(response, 404)
