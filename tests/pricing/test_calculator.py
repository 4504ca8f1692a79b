"""Quote totals and rounding on hand-computed fixtures. No database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cto.pricing.calculator import Line, PricingError, money, recommend, totals


def test_rounding_is_half_up_to_the_cent() -> None:
    assert [money(D(v)) for v in ("0.005", "0.015", "2.675", "-0.005")] == [
        D("0.01"),
        D("0.02"),
        D("2.68"),
        D("-0.01"),
    ]


def test_base_add_ons_multiplier_and_discount_as_computed_by_hand() -> None:
    result = totals(
        [
            Line("Retainer", "amount", "monthly", amount=D("12000")),
            Line("Week one", "amount", "one_off", amount=D("7500")),
            Line("Customer-facing AI", "amount", "monthly", amount=D("1500")),
            Line("Eval build-out", "amount", "one_off", amount=D("6000")),
            Line("Agent tooling", "multiplier", factor=D("1.15")),
            Line("Annual commitment", "discount_percent", factor=D("7.5")),
        ],
        currency="EUR",
        minimum_term_months=3,
    )
    # monthly: 12000 + 1500 = 13500; x 1.15 = 15525.00 (+2025.00); -7.5 % = -1164.375 -> -1164.38
    assert [(p.line.label, p.effect) for p in result.lines] == [
        ("Retainer", D("12000.00")),
        ("Week one", D("7500.00")),
        ("Customer-facing AI", D("1500.00")),
        ("Eval build-out", D("6000.00")),
        ("Agent tooling", D("2025.00")),
        ("Annual commitment", D("-1164.38")),
    ]
    assert (result.monthly, result.one_off) == (D("14360.62"), D("13500.00"))
    assert result.first_term == D("56581.86")  # 13500 + 3 x 14360.62
    assert result.currency == "EUR"


def test_a_multiplier_that_makes_fractions_of_a_cent_rounds_once() -> None:
    result = totals(
        [
            Line("Retainer", "amount", amount=D("4500.01")),
            Line("Risk", "multiplier", factor=D("1.333")),
        ],
        currency="GBP",
        minimum_term_months=1,
    )
    # 4500.01 x 1.333 = 5998.51333 -> 5998.51
    assert result.monthly == D("5998.51")


def test_a_fixed_discount_is_a_negative_amount() -> None:
    result = totals(
        [
            Line("Retainer", "amount", amount=D("8500")),
            Line("Launch offer", "amount", amount=D("-500")),
        ],
        currency="EUR",
        minimum_term_months=3,
    )
    assert result.monthly == D("8000.00")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([Line("Bad", "multiplier", factor=D("0"))], "positive factor"),
        ([Line("Bad", "discount_percent", factor=D("120"))], "between 0 and 100"),
        ([Line("Bad", "amount", amount=None)], "needs an amount"),
        (
            [
                Line("Retainer", "amount", amount=D("100")),
                Line("Too much", "amount", amount=D("-200")),
            ],
            "below zero",
        ),
        ([Line("Odd", "bonus")], "Unknown kind"),
    ],
)
def test_malformed_lines_are_refused(lines: list[Line], message: str) -> None:
    with pytest.raises(PricingError, match=message):
        totals(lines, currency="EUR", minimum_term_months=3)


RULES = [(3, "best"), (1, "better"), (0, "good")]


@pytest.mark.parametrize(
    ("fired", "option"), [(0, "good"), (1, "better"), (2, "better"), (3, "best"), (6, "best")]
)
def test_the_recommendation_follows_how_many_drivers_fired(fired: int, option: str) -> None:
    assert recommend(fired, RULES) == option
