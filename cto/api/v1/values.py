"""How the API writes a stored number: a Decimal as text, without the zeros its column pads it
with ("0.95", not "0.9500"), so that no precision is lost in a JSON float."""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"
