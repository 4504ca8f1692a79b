"""The person's own API tokens under /portal/tokens/."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cto.api import keys
from cto.api.models import ApiToken
from cto.api.services import token_authenticate, token_create
from cto.users.models import User
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("tokens:list")
SECRET = re.compile(r"cto_[a-z0-9]{10}_[A-Za-z0-9]{32}")


def _revoke_url(token: ApiToken) -> str:
    return reverse("tokens:revoke", args=[token.pk])


def test_the_page_asks_for_a_sign_in(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_portal_home_links_to_the_page(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert f'href="{LIST}"' in client.get(reverse("engagements:portal_home")).text


def test_creating_a_token_shows_its_secret_once_and_keeps_only_its_hash(
    client: Client, client_user: User
) -> None:
    client.force_login(client_user)
    response = client.post(LIST, {"name": "CI deploy", "scope": "read write", "days": "30"})
    assert response.status_code == 201
    shown = SECRET.findall(response.text)
    assert len(shown) == 1
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scope) == (client_user, "CI deploy", "read write")
    assert token.digest == keys.token_digest(shown[0])
    assert token_authenticate(secret=shown[0]) == token
    # Listed afterwards by name and prefix, never by secret.
    page = client.get(LIST).text
    assert "CI deploy" in page
    assert token.prefix in page
    assert shown[0] not in page


def test_an_htmx_creation_answers_the_section_and_announces_it(
    client: Client, client_user: User
) -> None:
    client.force_login(client_user)
    response = client.post(
        LIST, {"name": "Agent", "scope": "read", "days": "90"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 201
    assert response.text.lstrip().startswith('<section id="tokens"')
    assert 'id="announcer"' in response.text
    assert "Token “Agent” created" in response.text


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "scope": "read", "days": "90"},
        {"name": "x" * 101, "scope": "read", "days": "90"},
        {"name": "CI", "scope": "write", "days": "90"},
        {"name": "CI", "scope": "read", "days": "9999"},
        {"name": "CI", "scope": "read", "days": "soon"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    client: Client, client_user: User, data: dict[str, str]
) -> None:
    client.force_login(client_user)
    response = client.post(LIST, data)
    assert response.status_code == 422
    assert 'class="field-error"' in response.text
    assert not ApiToken.objects.exists()
    assert not SECRET.search(response.text)


def test_the_list_shows_the_persons_own_tokens_only(
    client: Client, client_user: User, operator: User
) -> None:
    token_create(user=client_user, name="Mine", scope="read", by=client_user)
    token_create(user=operator, name="The operator's", scope="read", by=operator)
    client.force_login(client_user)
    page = client.get(LIST).text
    assert "Mine" in page
    assert "The operator" not in page


def test_the_list_costs_a_fixed_number_of_queries(
    client: Client, client_user: User, django_assert_num_queries: object
) -> None:
    for n in range(5):
        token_create(user=client_user, name=f"Token {n}", scope="read", by=client_user)
    client.force_login(client_user)
    client.get(LIST)
    # The session's user and the tokens (the brand is cached after the first page).
    with django_assert_num_queries(2):  # type: ignore[operator]  # pytest-django's fixture
        client.get(LIST)


def test_revoking_a_token_stops_it_at_once(client: Client, client_user: User) -> None:
    created = token_create(user=client_user, name="CI", scope="read", by=client_user)
    client.force_login(client_user)
    response = client.post(_revoke_url(created.token))
    assert response.status_code == 303
    assert response["Location"] == LIST
    assert ApiToken.objects.get().revoked_at is not None
    assert "revoked" in client.get(LIST).text


def test_an_htmx_revocation_answers_the_section_and_announces_it(
    client: Client, client_user: User
) -> None:
    created = token_create(user=client_user, name="CI", scope="read", by=client_user)
    client.force_login(client_user)
    response = client.post(_revoke_url(created.token), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="tokens"')
    assert "Token “CI” revoked" in response.text


def test_someone_elses_token_is_404_and_stays_valid(client: Client, client_user: User) -> None:
    other = UserFactory()
    created = token_create(user=other, name="Theirs", scope="read", by=other)
    client.force_login(client_user)
    assert client.post(_revoke_url(created.token)).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_revoking_takes_post_only(client: Client, client_user: User) -> None:
    created = token_create(user=client_user, name="CI", scope="read", by=client_user)
    client.force_login(client_user)
    assert client.get(_revoke_url(created.token)).status_code == 405
