"""The brand as every page, email and report reads it: one cached value, no query per request.

The row is read once and kept in Django's cache under one key, which the service deletes when
the row changes; the timeout bounds how long a process with a cache of its own (the embedded
default's in-process cache, a worker) can show the previous brand.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from cto.brand.colors import normalize_hex_color
from cto.brand.logo import clean_logo_svg
from cto.brand.models import SINGLETON_ID, Brand

logger = logging.getLogger(__name__)

# Numbered by the shape of Identity: a process never reads a pickle of an older shape.
CACHE_KEY = "brand:identity:2"
CACHE_SECONDS = 300
DEFAULT_LOGO = Path(settings.BASE_DIR) / "static" / "img" / "brand-logo.svg"


@dataclass(frozen=True)
class Identity:
    """The brand's values, plain and picklable; ``logo_svg`` has passed the sanitiser."""

    name: str
    tagline: str
    logo_svg: str
    primary_color: str
    accent_color: str
    address: str
    email: str
    phone: str
    website: str
    booking_url: str = ""  # where a prospect books a first call; not part of any report

    @cached_property
    def version(self) -> str:
        """Changes whenever anything shown changes: the cache-busting key of brand.css."""
        canonical = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @property
    def address_lines(self) -> list[str]:
        return self.address.splitlines()

    def as_snapshot(self) -> dict[str, object]:
        """What a report keeps of the brand, so that a version renders the same ever after."""
        return {
            "name": self.name,
            "tagline": self.tagline,
            "logo_svg": self.logo_svg,
            "primary_color": self.primary_color,
            "accent_color": self.accent_color,
            "address_lines": self.address_lines,
            "email": self.email,
            "phone": self.phone,
            "website": self.website,
        }


@lru_cache(maxsize=1)
def default_logo() -> str:
    """Our own mark (static/img/brand-logo.svg), through the same sanitiser as any other."""
    return clean_logo_svg(DEFAULT_LOGO.read_text())


def identity_from_settings() -> Identity:
    """The BRAND_* settings: the brand before anyone has edited it in the admin."""
    return Identity(
        name=settings.BRAND_NAME,
        tagline=settings.BRAND_TAGLINE,
        logo_svg=default_logo(),
        # Checked at start (cto/brand/checks.py); normalised here so CSS only ever gets #rrggbb.
        primary_color=normalize_hex_color(settings.BRAND_PRIMARY_COLOR),
        accent_color=normalize_hex_color(settings.BRAND_ACCENT_COLOR),
        address=settings.BRAND_ADDRESS.replace("\\n", "\n"),
        email=settings.BRAND_EMAIL,
        phone=settings.BRAND_PHONE,
        website=settings.BRAND_WEBSITE,
        booking_url=settings.BRAND_BOOKING_URL,
    )


def _identity_from_row(row: Brand) -> Identity:
    # Sanitised again on the way out: a row written around the admin (a shell, a restore) is
    # still never put into a page unchecked.
    try:
        logo = clean_logo_svg(row.logo_svg) if row.logo_svg else default_logo()
    except ValidationError:
        logger.warning("The stored brand logo does not pass the sanitiser; the default is shown.")
        logo = default_logo()
    return Identity(
        name=row.name,
        tagline=row.tagline,
        logo_svg=logo,
        primary_color=row.primary_color,
        accent_color=row.accent_color,
        address=row.address,
        email=row.email,
        phone=row.phone,
        website=row.website,
        booking_url=row.booking_url,
    )


def brand_current() -> Identity:
    """The practice's brand: the cached value, else the row (one query), else the settings."""
    identity = cache.get(CACHE_KEY)
    if isinstance(identity, Identity):
        return identity
    row = Brand.objects.filter(pk=SINGLETON_ID).first()
    identity = _identity_from_row(row) if row else identity_from_settings()
    cache.set(CACHE_KEY, identity, CACHE_SECONDS)
    return identity


def brand_without_database() -> Identity:
    """The cached brand, else the settings': for the error pages, which must render while the
    database is away (and the cache too: an unreachable Redis reads as a miss)."""
    identity = cache.get(CACHE_KEY)
    return identity if isinstance(identity, Identity) else identity_from_settings()


def brand_forget() -> None:
    """Drop the cached brand, so the next read sees the row."""
    cache.delete(CACHE_KEY)
