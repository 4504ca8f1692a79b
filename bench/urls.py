"""The app's URLs plus the ceiling: a bare view rendering a trivial template through the same
middleware, the most a page of this app could hope to reach on this machine."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import include, path
from django.views.decorators.http import require_GET

CEILING = Template("<!doctype html><title>{{ title }}</title><p>Hello, {{ name }}.</p>")


@require_GET
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CEILING.render(Context({"title": "Ceiling", "name": "bench"})))


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("", include("cto.urls")),
]
