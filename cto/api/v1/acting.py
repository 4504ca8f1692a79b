"""Who acts through the API: the token's owner, whose scoping every selector applies, and the
token itself, which each write names on the timeline (cto.api.via), so that the engagement's
people can tell an agent's change from a person's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest

from cto.api.models import ApiToken
from cto.api.v1.problems import ApiProblem
from cto.api.via import acting_as
from cto.users.models import User


def user_of(request: HttpRequest) -> User:
    return request.auth.user  # type: ignore[attr-defined]  # set by TokenAuth


def operators_only(request: HttpRequest, detail: str) -> User:
    """The token's owner if they are one of the practice's operators; 403 otherwise (what
    the pages answer a client who posts to an operator's form)."""
    user = user_of(request)
    if not user.is_staff:
        raise ApiProblem(403, detail)
    return user


@contextmanager
def acting(request: HttpRequest) -> Iterator[User]:
    """Run one write as the token's owner; the events it records name the token
    (cto.api.via)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]  # set by TokenAuth
    with acting_as(token) as user:
        yield user
