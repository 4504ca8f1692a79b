"""The BRAND_* settings are checked at start: a colour that is not hex would reach CSS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from cto.brand.colors import check_readable_on_white, normalize_hex_color


@register()
def brand_settings_check(**kwargs: Any) -> list[Error]:
    errors = []
    for name in ("BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR"):
        try:
            color = normalize_hex_color(getattr(settings, name))
            if name == "BRAND_PRIMARY_COLOR":
                check_readable_on_white(color)
        except ValidationError as error:
            errors.append(Error(f"{name}: {error.messages[0]}", id="brand.E001"))
    if settings.BRAND_BOOKING_URL:
        try:
            URLValidator(schemes=["http", "https"])(settings.BRAND_BOOKING_URL)
        except ValidationError:
            errors.append(
                Error("BRAND_BOOKING_URL must be an http or https address.", id="brand.E003")
            )
    if not settings.BRAND_NAME.strip():
        errors.append(Error("BRAND_NAME is empty: the practice needs a name.", id="brand.E002"))
    return errors
