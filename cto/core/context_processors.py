"""Template context every page needs."""

from __future__ import annotations

from django.http import HttpRequest


def csp(request: HttpRequest) -> dict[str, object]:
    """The request's CSP nonce, as django-htmx's script tag expects it (``csp_nonce``). Lazy:
    a nonce is made, and put in the header, only when a page uses one."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
