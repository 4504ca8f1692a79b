"""Which token a change came through, for the API and the MCP server alike.

A write through a token calls the same service as the page, and the service records its
timeline event with the token's owner as the actor. What the service cannot know is that an
agent or a script acted: while ``acting_as(token)`` runs, every event recorded with the token's
owner as its actor also names the token in its data (``{"via": {"token": name, "prefix": ...}}``,
never the secret), which the timeline shows as "by Ada via Ada's agent". A signal rather than a
parameter: the services of every app would otherwise each have to pass it on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from cto.api.models import ApiToken
from cto.engagements.models import ActivityEvent
from cto.users.models import User

_acting: ContextVar[ApiToken | None] = ContextVar("api_acting_token", default=None)


@contextmanager
def acting_as(token: ApiToken) -> Iterator[User]:
    """Run one write as ``token``'s owner, naming the token on the events it records."""
    reset = _acting.set(token)
    try:
        yield token.user
    finally:
        _acting.reset(reset)


def name_the_token(
    sender: type[ActivityEvent], instance: ActivityEvent, raw: bool = False, **kwargs: Any
) -> None:
    """pre_save of ActivityEvent (connected in ApiConfig.ready): a new event by the acting
    token's owner names the token. An event the system records meanwhile (actor None) does not."""
    token = _acting.get()
    if token is None or raw or not instance._state.adding or instance.actor_id != token.user_id:
        return
    instance.data = {**(instance.data or {}), "via": {"token": token.name, "prefix": token.prefix}}
