"""Values read out of a parsed file whose shape is not trusted: excerpts for a person to read,
numbers, objects."""

from __future__ import annotations

import json
from typing import Any

from cto.receipts.results import EXCERPT_CHARS


def excerpt(value: Any) -> str:
    """The value as text (JSON for anything but a string), cut to EXCERPT_CHARS with an ellipsis
    marking the cut."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[: EXCERPT_CHARS - 1] + "…"


def number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (booleans included: a score of true is
    not a number here, each adapter decides what it means)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def mapping(value: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one: a missing or mistyped section
    reads as empty, and what the adapter then lacks it refuses by name."""
    return value if isinstance(value, dict) else {}
