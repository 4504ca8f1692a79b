"""cto/brand/checks.py: a BRAND_* setting that would put a bad colour into CSS stops the start."""

from __future__ import annotations

from pytest_django.fixtures import Settings

from cto.brand.checks import brand_settings_check


def test_the_default_settings_pass() -> None:
    assert brand_settings_check() == []


def test_a_colour_that_is_not_hex_or_too_light_fails_the_check(settings: Settings) -> None:
    settings.BRAND_PRIMARY_COLOR = "#fde68a"
    settings.BRAND_ACCENT_COLOR = "red; } body { display: none"
    settings.BRAND_NAME = " "
    errors = brand_settings_check()
    assert [error.id for error in errors] == ["brand.E001", "brand.E001", "brand.E002"]
    messages = [error.msg for error in errors]
    assert any(m.startswith("BRAND_PRIMARY_COLOR: #fde68a is too light") for m in messages)
    assert any(m.startswith("BRAND_ACCENT_COLOR: “red; } body") for m in messages)
    assert "BRAND_NAME is empty: the practice needs a name." in messages
