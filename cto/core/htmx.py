"""The request type of views that serve both pages and htmx fragments, and the announcement an
htmx answer carries for screen readers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def announce(response: HttpResponse, text: str) -> HttpResponse:
    """Append to an htmx answer the out-of-band swap that puts ``text`` in the page's one live
    region (#announcer, in base.html), so that a screen reader reads out what the swap changed.
    Only for htmx answers: a whole page already has its region, and would get a second one."""
    response.content += render_to_string("core/_announce.html", {"text": text}).encode()
    return response
