"""The practice's brand on every page (``brand``), from the cache: no query once it is warm."""

from __future__ import annotations

from django.http import HttpRequest

from cto.brand.selectors import brand_current


def brand(request: HttpRequest) -> dict[str, object]:
    return {"brand": brand_current()}
