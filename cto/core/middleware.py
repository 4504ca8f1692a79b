"""Middleware of our own."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

SEEN_KEY = "_seen"


class SlidingSessionExpiry:
    """Makes SESSION_COOKIE_AGE an idle timeout: a session in use has its expiry moved forward,
    at most once every SESSION_TOUCH_SECONDS, so an active user stays signed in while an
    abandoned session ends that long after its last use, at the cost of one write per few
    minutes rather than one per request. Sessions without data (visitors) are never created."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        if not session.is_empty():
            now = int(time.time())
            if now - int(session.get(SEEN_KEY, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[SEEN_KEY] = now  # modified: saved with a fresh expiry
        return self.get_response(request)


def stamp_session_at_login(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """A sign-in saves the session anyway: stamp it then, so the first page after it does not
    save it again (connected to user_logged_in in CoreConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
