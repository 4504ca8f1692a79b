"""Pages that belong to no domain app: the home page and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
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
