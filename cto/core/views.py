"""Pages that belong to no domain app: the home page, the health check, the error pages."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from cto.core.htmx import HtmxHttpRequest


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_GET
def favicon(request: HtmxHttpRequest) -> HttpResponseRedirect:
    # Resolved per request: with hashed static files the name is known only after collectstatic.
    return HttpResponseRedirect(static("img/favicon.svg"))


@require_GET
def health(request: HtmxHttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"; the reason goes to the log
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that does not answer is a passing outage, not our bug: a 503 that
    says to try again in a minute (with Retry-After). Anything else: a plain 500 page. Both
    pages are rendered without a request context, so they need no database themselves."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        page = render_to_string("503.html")
        return HttpResponse(page, status=503, headers={"Retry-After": "60"})
    return HttpResponse(render_to_string("500.html"), status=500)
