"""``{% current_brand as brand %}``: the practice's brand where no request brings it (emails);
``{% brand_name_without_database %}``: its name on the error pages; ``|safe_logo``: a report's
logo, sanitised, ready to inline."""

from __future__ import annotations

from django import template
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe

from cto.brand.logo import clean_logo_svg
from cto.brand.selectors import Identity, brand_current, brand_without_database

register = template.Library()


@register.simple_tag
def current_brand() -> Identity:
    return brand_current()


@register.simple_tag
def brand_name_without_database() -> str:
    """The practice's name on the error pages, which must render with the database away."""
    return brand_without_database().name


@register.filter
def safe_logo(source: str) -> SafeString:
    """A logo's SVG, from a report's snapshot, marked safe once the sanitiser has passed it
    (again: the snapshot is stored JSON); nothing at all when it does not pass."""
    try:
        return mark_safe(clean_logo_svg(source))  # noqa: S308 - the sanitiser's own output
    except ValidationError:
        return mark_safe("")
