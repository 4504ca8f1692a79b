"""Signing in with allauth: by emailed code and by password, without account enumeration."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

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


# --- Sign-in limits behind the proxy ----------------------------------------------------------

PROXY = "127.0.0.1"  # the connecting address of every request that came through the proxy
ATTACKER, VISITOR = "203.0.113.5", "198.51.100.7"


def _sign_in(email: str, password: str, *, address: str) -> HttpResponseBase:
    """A sign-in through a proxy that appends the connecting address to X-Forwarded-For; the
    attacker writes a header of their own first, which the proxy keeps in front."""
    return Client().post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"10.{len(email)}.0.1, {address}",
    )


def _fail_ten_times() -> None:
    """allauth's 10 failures a minute per address, each for another account (the per-account
    limit is 5), so that only the address's count runs out."""
    for number in range(10):
        failed = _sign_in(f"guess{number}@client.example", "wrong", address=ATTACKER)
        assert "not correct" in failed.text


def test_failed_sign_ins_behind_the_proxy_lock_out_their_address_only(
    settings: Settings, client_user: User
) -> None:
    """RATELIMIT_IP_META_KEY reaches allauth (the account adapter's get_client_ip)."""
    settings.CLIENT_ADDRESS_META_KEY = "HTTP_X_FORWARDED_FOR"
    _fail_ten_times()
    locked = _sign_in(client_user.email, PASSWORD, address=ATTACKER)
    assert "Too many failed login attempts" in locked.text
    signed_in = _sign_in(client_user.email, PASSWORD, address=VISITOR)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("engagements:portal_home")


def test_without_the_setting_one_address_locks_everyone_out(client_user: User) -> None:
    """What the setting prevents: every request comes from the proxy, one count for all."""
    _fail_ten_times()
    locked = _sign_in(client_user.email, PASSWORD, address=VISITOR)
    assert "Too many failed login attempts" in locked.text
