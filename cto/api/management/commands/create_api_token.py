from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cto.api.models import ApiToken
from cto.api.services import token_create
from cto.users.models import User


class Command(BaseCommand):
    help = (
        "Create an API token for the person with --email and print it: the token is the last "
        "word of the output, for scripts and CI (TOKEN=$(... | awk '{print $NF}'))."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--scope", required=True, help='"read" or "read write"')
        parser.add_argument("--name", default="Command line", help="what the token is for")
        parser.add_argument("--days", type=int, default=None, help="lifetime (API_TOKEN_DAYS)")

    def handle(
        self, *args: Any, email: str, scope: str, name: str, days: int | None, **options: Any
    ) -> None:
        if scope not in ApiToken.Scope.values:
            raise CommandError(f'--scope must be "read" or "read write", not {scope!r}.')
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No one signs in with {email!r}.")
        try:
            created = token_create(user=user, name=name, scope=scope, days=days, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        token = created.token
        self.stdout.write(
            f"Token {token.name!r} for {user.email}, scope {token.scope!r}, expires "
            f"{token.expires_at:%Y-%m-%d}. Shown once: {created.secret}"
        )
