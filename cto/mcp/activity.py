"""Which token a timeline event came through.

A tool call that changes something calls the same service as the page, and that service records
the event with the token's owner as its actor. What the page cannot know is that an agent acted:
while a write tool runs, ``acting_via`` names the token, and every event recorded meanwhile with
its owner as the actor carries ``{"via": "<token name>"}``, which the timeline shows as "by Ada
via Ada's agent". A signal rather than a parameter: the services of every app would otherwise
each need to pass it on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from cto.api.models import ApiToken
from cto.engagements.models import ActivityEvent

# (the owner's id, the token's name) while a write tool runs in this thread.
_acting: ContextVar[tuple[int, str] | None] = ContextVar("mcp_acting_via", default=None)


@contextlib.contextmanager
def acting_via(token: ApiToken) -> Iterator[None]:
    reset = _acting.set((token.user_id, token.name))
    try:
        yield
    finally:
        _acting.reset(reset)


def mark_via(sender: type[ActivityEvent], instance: ActivityEvent, **kwargs: Any) -> None:
    """pre_save of ActivityEvent: a new event by the acting token's owner names the token."""
    acting = _acting.get()
    if acting is None or not instance._state.adding or instance.actor_id != acting[0]:
        return
    instance.data = {**(instance.data or {}), "via": acting[1]}
