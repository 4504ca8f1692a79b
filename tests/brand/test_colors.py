"""cto/brand/colors.py: hex colours normalised, and a primary too light to read refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cto.brand.colors import check_readable_on_white, contrast_with_white, normalize_hex_color


@pytest.mark.parametrize(
    ("typed", "stored"), [("#143D6E", "#143d6e"), ("143d6e", "#143d6e"), (" #abc ", "#aabbcc")]
)
def test_hex_colours_are_stored_one_way(typed: str, stored: str) -> None:
    assert normalize_hex_color(typed) == stored


@pytest.mark.parametrize("typed", ["red", "#12345", "#1234567", "#12g456", "var(--x)", "#fff;}"])
def test_anything_but_a_hex_colour_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="is not a colour written in hex"):
        normalize_hex_color(typed)


def test_contrast_is_wcag_s_ratio() -> None:
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#ffffff") == pytest.approx(1)


def test_a_primary_colour_too_light_for_white_text_is_refused_with_the_ratio() -> None:
    check_readable_on_white("#143d6e")
    with pytest.raises(ValidationError, match=r"#f2a541 is too light .* 2\.1:1"):
        check_readable_on_white("#f2a541")
