"""Brand colours: written one way, and dark enough to carry white text and to be read on white.

Pure: no Django models, no I/O. The app paints links and buttons in the primary colour (white
text on it, and it as text on white), so a colour too light to read is refused here rather
than found later on a client's screen.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# WCAG 2's minimum contrast for body text (level AA).
MIN_TEXT_CONTRAST = 4.5


def normalize_hex_color(value: str) -> str:
    """``value`` as ``#rrggbb`` in lower case; ValidationError when it is not a hex colour."""
    match = _HEX.fullmatch(value.strip())
    if match is None:
        raise ValidationError(
            f"“{value[:20]}” is not a colour written in hex: write it like #143d6e.",
            code="invalid_color",
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def _luminance(color: str) -> float:
    """WCAG 2's relative luminance of an ``#rrggbb`` colour."""
    channels = [int(color[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(color: str) -> float:
    """The contrast ratio of an ``#rrggbb`` colour against white, from 1 to 21."""
    return 1.05 / (_luminance(color) + 0.05)


def check_readable_on_white(color: str) -> None:
    """ValidationError when white text on ``color`` (or ``color`` on white) is hard to read."""
    ratio = contrast_with_white(color)
    if ratio < MIN_TEXT_CONTRAST:
        raise ValidationError(
            f"{color} is too light for links and buttons: its contrast with white is "
            f"{ratio:.1f}:1, and text needs at least {MIN_TEXT_CONTRAST}:1. Choose a darker shade.",
            code="low_contrast",
        )
