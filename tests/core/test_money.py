"""cto/core/money.py and its template filter: one locale-aware money format for the pages and
the PDFs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings

from cto.core.money import money_text


def test_thousands_are_grouped_in_the_practices_locale() -> None:
    assert money_text(Decimal("131000"), "EUR") == "€131,000.00"
    assert money_text(Decimal("16387.5"), "GBP") == "£16,387.50"


def test_a_discount_has_a_typographic_minus_before_the_symbol() -> None:
    assert money_text(Decimal("-1250.00"), "EUR") == "\u2212€1,250.00"


@override_settings(LANGUAGE_CODE="de")
def test_another_locale_moves_the_separators_and_the_symbol() -> None:
    assert money_text(Decimal("131000"), "EUR") == "131.000,00\u00a0€"


def test_a_currency_without_minor_units_has_no_decimals() -> None:
    assert money_text(Decimal("1500000"), "JPY") == "JP¥1,500,000"


@pytest.mark.parametrize(
    ("amount", "expected"), [(Decimal("131000.00"), "€131,000.00"), (None, "")]
)
def test_the_template_filter_writes_the_same_text(amount: Decimal | None, expected: str) -> None:
    template = Template("{% load money %}{{ amount|money:currency }}")
    assert template.render(Context({"amount": amount, "currency": "EUR"})) == expected
