from __future__ import annotations

import datetime
import logging

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.api import keys
from cto.api.models import ApiToken
from cto.api.services import TokenRefused, token_authenticate, token_create, token_revoke
from cto.users.models import User

pytestmark = pytest.mark.django_db


def test_a_created_token_is_stored_hashed_and_expires_after_the_default_days(
    client_user: User, settings: Settings
) -> None:
    settings.API_TOKEN_DAYS = 30
    created = token_create(user=client_user, name=" CI ", scope="read", by=client_user)
    token = ApiToken.objects.get()
    assert token.name == "CI"
    assert token.digest == keys.token_digest(created.secret)
    assert created.secret not in {str(value) for value in vars(token).values()}
    lifetime = token.expires_at - timezone.now()
    assert datetime.timedelta(days=29, hours=23) < lifetime <= datetime.timedelta(days=30)


@pytest.mark.parametrize(
    ("scope", "days"), [("write", None), ("read,write", None), ("read", 0), ("read", 10_000)]
)
def test_a_bad_scope_or_lifetime_is_refused_and_nothing_is_written(
    client_user: User, scope: str, days: int | None
) -> None:
    with pytest.raises(ValidationError):
        token_create(user=client_user, name="x", scope=scope, days=days, by=client_user)
    assert not ApiToken.objects.exists()


def test_a_token_authenticates_as_its_owner(client_user: User) -> None:
    created = token_create(user=client_user, name="x", scope="read write", by=client_user)
    token = token_authenticate(secret=created.secret)
    assert token.user == client_user
    assert token.can_write


@pytest.mark.parametrize(
    "change",
    [
        "revoked",
        "expired",
        "wrong secret",
        "unknown id",
        "owner deactivated",
    ],
)
def test_a_token_that_must_not_work_is_refused(client_user: User, change: str) -> None:
    created = token_create(user=client_user, name="x", scope="read", by=client_user)
    secret = created.secret
    if change == "revoked":
        token_revoke(token=created.token, by=client_user)
    elif change == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif change == "wrong secret":
        secret = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    elif change == "unknown id":
        ApiToken.objects.update(public_id="zzzzzzzzzz")
    else:
        User.objects.filter(pk=client_user.pk).update(is_active=False)
    with pytest.raises(TokenRefused):
        token_authenticate(secret=secret)


def test_last_use_is_written_at_most_once_a_minute(client_user: User) -> None:
    created = token_create(user=client_user, name="x", scope="read", by=client_user)
    token_authenticate(secret=created.secret)
    first = ApiToken.objects.get().last_used_at
    assert first is not None

    recent = timezone.now() - datetime.timedelta(seconds=50)
    ApiToken.objects.update(last_used_at=recent)
    token_authenticate(secret=created.secret)
    assert ApiToken.objects.get().last_used_at == recent  # not written again

    old = timezone.now() - datetime.timedelta(seconds=61)
    ApiToken.objects.update(last_used_at=old)
    token_authenticate(secret=created.secret)
    assert ApiToken.objects.get().last_used_at > old


def test_a_use_within_the_minute_costs_one_query(
    client_user: User, django_assert_num_queries: object
) -> None:
    created = token_create(user=client_user, name="x", scope="read", by=client_user)
    token_authenticate(secret=created.secret)
    with django_assert_num_queries(1):  # type: ignore[operator]  # pytest-django's fixture
        token_authenticate(secret=created.secret)


def test_creation_and_revocation_are_logged_once(
    client_user: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cto.api.tokens")
    created = token_create(user=client_user, name="CI", scope="read", by=client_user)
    token_revoke(token=created.token, by=client_user)
    token_revoke(token=created.token, by=client_user)  # a second time changes nothing
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith(f"API token created: {created.token.prefix}")
    assert client_user.email in messages[0]
    assert messages[1].startswith(f"API token revoked: {created.token.prefix}")
    assert all(created.secret not in message for message in messages)
