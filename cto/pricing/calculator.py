"""Quote arithmetic: Decimal money, explicit rounding, totals always computed. A pure module.

An option's monthly lines add up to a subtotal; multipliers then apply to that subtotal one
after another, and a percentage discount applies last. One-off lines add up on their own.
Every computed amount is rounded to the cent, half up, at the step that produces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    label: str
    # "amount" (monthly or one-off; negative for a discount), "multiplier", "discount_percent"
    kind: str
    period: str = "monthly"  # for amounts: "monthly" or "one_off"
    amount: Decimal | None = None
    factor: Decimal | None = None  # multiplier (1.15) or discount percent (10 for 10 %)
    reason: str = ""


@dataclass(frozen=True)
class PricedLine:
    line: Line
    effect: Decimal  # what the line adds to its period's total (negative for a discount)


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[PricedLine, ...]
    monthly: Decimal
    one_off: Decimal
    minimum_term_months: int

    @property
    def first_term(self) -> Decimal:
        """What the minimum term costs: the one-off lines plus the monthly total for each month."""
        return money(self.one_off + self.monthly * self.minimum_term_months)


class PricingError(ValueError):
    pass


def totals(lines: Sequence[Line], *, currency: str, minimum_term_months: int) -> Totals:
    priced: list[PricedLine] = []
    monthly = Decimal("0")
    one_off = Decimal("0")
    for line in (line for line in lines if line.kind == "amount"):
        if line.amount is None or line.period not in ("monthly", "one_off"):
            raise PricingError(f"“{line.label}” needs an amount and a period.")
        amount = money(line.amount)
        priced.append(PricedLine(line, amount))
        if line.period == "monthly":
            monthly += amount
        else:
            one_off += amount
    for line in (line for line in lines if line.kind == "multiplier"):
        if line.factor is None or line.factor <= 0:
            raise PricingError(f"“{line.label}” needs a positive factor.")
        effect = money(monthly * line.factor) - monthly
        priced.append(PricedLine(line, effect))
        monthly += effect
    for line in (line for line in lines if line.kind == "discount_percent"):
        if line.factor is None or not 0 < line.factor < 100:
            raise PricingError(f"“{line.label}” needs a percentage between 0 and 100.")
        effect = -money(monthly * line.factor / 100)
        priced.append(PricedLine(line, effect))
        monthly += effect
    unknown = [
        line.label
        for line in lines
        if line.kind not in ("amount", "multiplier", "discount_percent")
    ]
    if unknown:
        raise PricingError(f"Unknown kind of line: {', '.join(unknown)}.")
    if monthly < 0 or one_off < 0:
        raise PricingError("Discounts cannot take a total below zero.")
    return Totals(currency, tuple(priced), money(monthly), money(one_off), minimum_term_months)


def recommend(fired: int, rules: Sequence[tuple[int, str]]) -> str:
    """The option label for this many fired drivers: the first rule whose threshold is met."""
    for at_least, option in sorted(rules, reverse=True):
        if fired >= at_least:
            return option
    return rules[-1][1] if rules else "good"
