"""Middleware of our own."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import SELF, UNSAFE_INLINE
from django.http import HttpRequest, HttpResponseBase


class AdminStyleAllowance:
    """Django's admin writes a few inline styles and scripts of its own; its pages (operators
    only) get those allowed, while every page of ours keeps the strict, nonce-based policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_update = {  # type: ignore[attr-defined]  # read by django-csp
                "style-src": [UNSAFE_INLINE],
                "script-src": [SELF, UNSAFE_INLINE],
            }
        return response
