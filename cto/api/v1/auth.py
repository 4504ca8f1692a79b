"""Bearer authentication with personal access tokens, the token's scope, and its rate limit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja.security import HttpBearer

from cto.api.models import ApiToken
from cto.api.services import TokenRefused, token_authenticate
from cto.api.v1.problems import ApiProblem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _period_seconds(rate: str) -> int:
    """The window of a django-ratelimit rate ("120/m", "1000/h"), for Retry-After."""
    period = rate.partition("/")[2] or "m"
    digits = "".join(ch for ch in period if ch.isdigit())
    return int(digits or 1) * PERIODS.get(period[-1], 60)


def _token_key(group: str, request: HttpRequest) -> str:
    return str(request.api_token.public_id)  # type: ignore[attr-defined]  # set below


def rate_limit(request: HttpRequest, token: ApiToken) -> None:
    """Count one request against ``token``'s API_RATE, one budget for the API and the MCP
    server; past it, ApiProblem 429 with Retry-After."""
    request.api_token = token  # type: ignore[attr-defined]  # read by _token_key
    if is_ratelimited(request, group="api", key=_token_key, rate=settings.API_RATE, increment=True):
        seconds = _period_seconds(settings.API_RATE)
        raise ApiProblem(
            429,
            f"This token made more than {settings.API_RATE} requests: wait {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A missing, unknown, expired or revoked token is 401; a
    token without write scope is 403 for any method that changes something; past API_RATE the
    token is 429. The token's owner becomes ``request.user``, so every selector scopes the
    request exactly as it scopes that person's pages."""

    def __call__(self, request: HttpRequest) -> ApiToken:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiProblem(
                401, "Send a token as Authorization: Bearer <token>.", headers=CHALLENGE
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        try:
            api_token = token_authenticate(secret=token)
        except TokenRefused as refused:
            raise ApiProblem(401, refused.detail, headers=CHALLENGE) from refused
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise ApiProblem(403, "This token may only read: create one with “read write”.")
        rate_limit(request, api_token)
        request.user = api_token.user
        return api_token
