"""The request type of views behind a login: there, ``user`` is always a signed-in User."""

from __future__ import annotations

from cto.core.htmx import HtmxHttpRequest
from cto.users.models import User


class AuthenticatedRequest(HtmxHttpRequest):
    user: User
