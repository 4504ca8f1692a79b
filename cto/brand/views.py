"""The brand's two files for the browser: its colours as a stylesheet, and its logo.

Both are served from the cached brand (no query) and named with its version (``?v=``), so a
browser keeps them for a year and fetches new ones the moment the brand changes. A stylesheet
of our own, rather than an inline <style>, keeps the pages free of nonces under the CSP."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cto.brand.selectors import Identity, brand_current

YEAR = 60 * 60 * 24 * 365
FIVE_MINUTES = 300


def _cached(request: HttpRequest, identity: Identity, response: HttpResponse) -> HttpResponse:
    fresh = request.GET.get("v") == identity.version
    response["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if fresh else f"public, max-age={FIVE_MINUTES}"
    )
    return response


@require_GET
def brand_stylesheet(request: HttpRequest) -> HttpResponse:
    identity = brand_current()
    css = (
        f":root {{ --brand-primary: {identity.primary_color}; "
        f"--brand-accent: {identity.accent_color}; }}\n"
    )
    return _cached(request, identity, HttpResponse(css, content_type="text/css; charset=utf-8"))


@require_GET
def brand_logo(request: HttpRequest) -> HttpResponse:
    identity = brand_current()
    response = HttpResponse(identity.logo_svg, content_type="image/svg+xml; charset=utf-8")
    return _cached(request, identity, response)
