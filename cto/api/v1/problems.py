"""Every error of the API as an RFC 9457 problem document (``application/problem+json``): a
``type``, ``title``, ``status`` and ``detail``, and for invalid input an ``errors`` list naming
each field. Ninja's own errors (validation, authentication, 404) are turned into the same form
here, and so are the answers the URL resolver and ninja give outside any operation (an unknown
path, a method the path does not take)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja import errors as ninja_errors

MEDIA_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """Raised anywhere below an operation: answered as a problem document."""

    def __init__(
        self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    body = {
        # "about:blank": the status says what kind of problem it is, and the title is its
        # phrase (RFC 9457, 4.2.1); ``detail`` says what happened to this request.
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field(loc: list[Any]) -> str:
    # ninja's locations start with where the value came from: ["query", "limit"]. A body's
    # name the operation's parameter next, then the field, then (for a union) which member
    # refused it: ["body", "body", "value", "constrained-int"] names body.value.
    if loc and loc[0] == "body" and len(loc) > 2:
        loc = [loc[0], loc[2]]
    return ".".join(str(part) for part in loc)


def install(api: NinjaAPI) -> None:
    """Answer every error ninja raises inside an operation as a problem document. (The
    handlers take ``Any``: ninja's stubs type them as taking the exception or its class.)"""

    def on_problem(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(exc.status, exc.detail, headers=exc.headers, **exc.extra)

    def on_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        # The message and the field only: pydantic's "input" would echo what was sent.
        by_field: dict[str, str] = {}
        for error in exc.errors:  # the first message of each field (a union has one a member)
            by_field.setdefault(_field(error["loc"]), error["msg"])
        fields = [{"field": field, "detail": detail} for field, detail in by_field.items()]
        return problem(422, "The request has invalid values: see errors.", errors=fields)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(404, "Nothing here, or nothing you may see.")

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(exc.status_code, str(exc))

    api.add_exception_handler(ApiProblem, on_problem)
    api.add_exception_handler(ninja_errors.ValidationError, on_invalid)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ninja_errors.HttpError, on_http_error)


def outside_operations(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view ninja made, whose 405 (a method the path does not take) is plain text, so
    that it answers a problem document too, with its Allow header."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != MEDIA_TYPE:
            allowed = response.get("Allow", "")
            return problem(
                405,
                f"{request.method} is not taken here; this path takes {allowed}.",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any path under /api/v1/ that names no resource (an id out of range included)."""
    return problem(404, "No resource of the API has this path: see /api/v1/docs.")
