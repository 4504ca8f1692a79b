"""Who acts through the API: the token's owner, whose scoping every selector applies, and the
token itself, which each write names on the timeline (``data["via"]`` of the events it records),
so that the engagement's people can tell an agent's change from a person's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from cto.api.models import ApiToken
from cto.api.v1.problems import ApiProblem
from cto.engagements.models import ActivityEvent
from cto.users.models import User

_acting_token: ContextVar[ApiToken | None] = ContextVar("api_acting_token", default=None)


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
    """Run one write as the token's owner. The services record their timeline events as they
    do for the pages; each event recorded meanwhile also names the token (its name and prefix,
    never its secret). The ActivityEvent model is left as it is: the name goes into its data."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]  # set by TokenAuth
    reset = _acting_token.set(token)
    try:
        yield token.user
    finally:
        _acting_token.reset(reset)


@receiver(pre_save, sender=ActivityEvent, dispatch_uid="api_v1_acting_token")
def _name_the_token(sender: Any, instance: ActivityEvent, raw: bool = False, **kwargs: Any) -> None:
    token = _acting_token.get()
    if token is None or raw or not instance._state.adding:
        return
    instance.data = {**(instance.data or {}), "via": {"token": token.name, "prefix": token.prefix}}
