from __future__ import annotations

from typing import Any

from cto.brand.models import Brand
from cto.brand.services import brand_save

ACME_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">'
    '<rect width="40" height="20" fill="#0f5132"/></svg>'
)


def brand_create(**fields: Any) -> Brand:
    """The practice's brand row, through the service (cache dropped), with realistic values."""
    values: dict[str, Any] = {
        "name": "Kestrel Technology Partners",
        "tagline": "Fractional CTO for AI products",
        "logo_svg": ACME_LOGO,
        "primary_color": "#0f5132",
        "accent_color": "#d97706",
        "address": "Kestrel Technology Partners GmbH\nTorstrasse 140\n10119 Berlin\nGermany",
        "email": "office@kestrel-partners.eu",
        "phone": "+49 30 1234 5678",
        "website": "https://kestrel-partners.eu",
    } | fields
    return brand_save(brand=Brand(**values))
