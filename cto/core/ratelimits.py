"""Per-address rate limits for public forms, counted in the shared cache (django-ratelimit),
and the page shown when one is exceeded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


def over_limit(request: HttpRequest, *, group: str, rate: str) -> bool:
    """Count this request against ``group`` for the client's address; True once past ``rate``
    (e.g. "20/h")."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "core/too_many_requests.html", status=429)
    response["Retry-After"] = "3600"
    return response
