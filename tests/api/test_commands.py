"""create_api_token: for scripts and CI, the token is the last word of the output."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cto.api.models import ApiToken
from cto.api.services import token_authenticate
from cto.users.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scope", ["read", "read write"])
def test_the_last_word_of_the_output_is_a_working_token(client_user: User, scope: str) -> None:
    out = StringIO()
    call_command(
        "create_api_token", "--email", client_user.email.upper(), "--scope", scope, stdout=out
    )
    secret = out.getvalue().split()[-1]
    token = token_authenticate(secret=secret)
    assert (token.user, token.scope, token.name) == (client_user, scope, "Command line")


def test_a_name_may_be_given(client_user: User) -> None:
    call_command(
        "create_api_token",
        f"--email={client_user.email}",
        "--scope=read",
        "--name=Nightly export",
        stdout=StringIO(),
    )
    assert ApiToken.objects.get().name == "Nightly export"


@pytest.mark.parametrize(
    ("email", "scope", "message"),
    [
        ("nobody@nowhere.example", "read", "No one signs in with"),
        (None, "write", '--scope must be "read" or "read write"'),
        (None, "", '--scope must be "read" or "read write"'),
    ],
)
def test_an_unknown_email_or_a_bad_scope_is_a_clear_error(
    client_user: User, email: str | None, scope: str, message: str
) -> None:
    # CommandError: manage.py prints the message and exits with status 1.
    with pytest.raises(CommandError, match=message):
        call_command(
            "create_api_token", f"--email={email or client_user.email}", f"--scope={scope}"
        )
    assert not ApiToken.objects.exists()
