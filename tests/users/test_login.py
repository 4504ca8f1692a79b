"""Signing in with allauth: by emailed code and by password, without account enumeration."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cto.users.models import User
from tests.users.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _code_from(message: mail.EmailMessage) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_login_by_emailed_code(client: Client, client_user: User) -> None:
    response = client.post(reverse("account_request_login_code"), {"email": client_user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert [message.to for message in mail.outbox] == [[client_user.email]]

    response = client.post(
        reverse("account_confirm_login_code"), {"code": _code_from(mail.outbox[0])}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:portal_home")
    assert client.get(reverse("engagements:portal_home")).context["user"] == client_user


def test_a_wrong_code_does_not_sign_in(client: Client, client_user: User) -> None:
    client.post(reverse("account_request_login_code"), {"email": client_user.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert "Incorrect code" in response.text
    assert client.get(reverse("engagements:portal_home")).status_code == 302


def test_login_by_password(client: Client, client_user: User) -> None:
    response = client.post(
        reverse("account_login"), {"login": client_user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:portal_home")


def test_wrong_password_is_refused_with_a_message(client: Client, client_user: User) -> None:
    response = client.post(
        reverse("account_login"), {"login": client_user.email, "password": "not it"}
    )
    assert response.status_code == 200
    assert "not correct" in response.text


def test_unverified_address_is_sent_a_verification_before_password_login(
    client: Client,
) -> None:
    user = UserFactory(verified=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] != reverse("engagements:portal_home")
    assert len(mail.outbox) == 1
    assert client.get(reverse("engagements:portal_home")).status_code == 302


def test_requesting_a_code_does_not_reveal_whether_an_account_exists(
    client: Client, client_user: User
) -> None:
    known = client.post(reverse("account_request_login_code"), {"email": client_user.email})
    stranger = Client().post(
        reverse("account_request_login_code"), {"email": "nobody@nowhere.example"}
    )
    assert (known.status_code, known["Location"]) == (stranger.status_code, stranger["Location"])


def test_code_requests_for_one_address_are_rate_limited(client_user: User) -> None:
    """Three codes a minute per address, whoever asks (each request from a new session)."""
    responses = [
        Client().post(reverse("account_request_login_code"), {"email": client_user.email})
        for _ in range(4)
    ]
    assert [response.status_code for response in responses] == [302, 302, 302, 200]
    assert "Too many" in responses[-1].text
    assert len(mail.outbox) == 3


def test_signup_is_closed_by_default(client: Client) -> None:
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.text
    assert not User.objects.exists()
