"""The MCP server's authentication: the API's bearer tokens, checked by the API's service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from cto.api.models import ApiToken
from cto.api.services import TokenRefused, token_authenticate
from cto.api.v1.auth import rate_limit
from cto.api.v1.problems import ApiProblem, problem

# RFC 6750: a refused credential is named invalid_token; a missing one gets the bare challenge.
CHALLENGE = 'Bearer realm="mcp"'


def token_auth(request: HttpRequest) -> HttpResponse | None:
    """django-mcpz's auth hook: None lets the request through, as the token's owner
    (``request.user``) with the token at ``request.api_token``; otherwise the answer to send.
    A missing, unknown, expired or revoked token is 401; past API_RATE the token is 429, counted
    together with its API requests (one budget per token)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(
            401,
            "Send a token as Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    try:
        token = token_authenticate(secret=secret.strip())
    except TokenRefused as refused:
        return problem(
            401, refused.detail, headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'}
        )
    request.auth = token  # type: ignore[attr-defined]  # where the API's operations read it
    try:
        rate_limit(request, token)  # also sets request.api_token, which the tools read
    except ApiProblem as limited:
        return problem(limited.status, limited.detail, headers=limited.headers)
    request.user = token.user
    return None


def may_write(request: HttpRequest) -> bool:
    """The API's scope check: only a "read write" token changes anything."""
    token: ApiToken | None = getattr(request, "api_token", None)
    return token is not None and token.can_write


def is_operator(request: HttpRequest) -> bool:
    return bool(request.user.is_staff)
