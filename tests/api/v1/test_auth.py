"""Bearer tokens on /api/v1/: who gets in, what a read token may do, the rate limit."""

from __future__ import annotations

import datetime

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI
from pytest_django.fixtures import Settings

from cto.api.models import ApiToken
from cto.api.services import token_create, token_revoke
from cto.api.v1 import problems
from cto.api.v1.auth import TokenAuth
from cto.users.models import User
from tests.api.conftest import BearerFor

pytestmark = pytest.mark.django_db

LIST = "/api/v1/engagements"

# An API with a write, mounted by the tests below only: /api/v1/ has no write yet, and the
# scope rule (TokenAuth) is the one the writes of the next resources will use.
test_api = NinjaAPI(auth=TokenAuth(), urls_namespace="test_api")
problems.install(test_api)


@test_api.post("/things")
def thing_create(request: HttpRequest) -> dict[str, str]:
    return {"by": request.auth.user.email}  # type: ignore[attr-defined]  # set by TokenAuth


urlpatterns = [path("api/", test_api.urls)]


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer cto_notatoken",
        "Bearer cto_abcdefghij_" + "A" * 32,
    ],
)
def test_without_a_valid_token_the_answer_is_401_with_a_challenge(
    client: Client, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get(LIST, headers=headers)
    body = _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["detail"]


def test_a_session_alone_does_not_authenticate(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    _problem(client.get(LIST), 401)


def test_a_revoked_token_is_401(client: Client, client_user: User) -> None:
    created = token_create(user=client_user, name="x", scope="read", by=client_user)
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert client.get(LIST, headers=headers).status_code == 200
    token_revoke(token=created.token, by=client_user)
    assert _problem(client.get(LIST, headers=headers), 401)["detail"] == (
        "The bearer token was revoked."
    )


def test_an_expired_token_is_401(client: Client, client_user: User) -> None:
    created = token_create(user=client_user, name="x", scope="read", by=client_user)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(LIST, headers={"Authorization": f"Bearer {created.secret}"})
    assert "expired" in str(_problem(response, 401)["detail"])


@pytest.mark.urls("tests.api.v1.test_auth")
def test_a_write_with_a_read_token_is_403(
    client: Client, client_user: User, bearer_for: BearerFor
) -> None:
    response = client.post("/api/things", headers=bearer_for(client_user, "read"))
    assert "read" in str(_problem(response, 403)["detail"])


@pytest.mark.urls("tests.api.v1.test_auth")
def test_a_write_with_a_read_write_token_goes_through(
    client: Client, client_user: User, bearer_for: BearerFor
) -> None:
    response = client.post("/api/things", headers=bearer_for(client_user, "read write"))
    assert response.status_code == 200
    assert response.json() == {"by": client_user.email}


def test_each_token_is_rate_limited_on_its_own(
    client: Client, client_user: User, bearer_for: BearerFor, settings: Settings
) -> None:
    settings.API_RATE = "3/m"
    first, second = bearer_for(client_user), bearer_for(client_user)
    for _ in range(3):
        assert client.get(LIST, headers=first).status_code == 200
    response = client.get(LIST, headers=first)
    _problem(response, 429)
    assert response["Retry-After"] == "60"
    assert client.get(LIST, headers=second).status_code == 200
