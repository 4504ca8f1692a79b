"""``{{ amount|money:currency }}``: a sum of money in the one format of cto/core/money.py."""

from __future__ import annotations

from decimal import Decimal

from django import template

from cto.core.money import money_text

register = template.Library()


@register.filter
def money(amount: Decimal | int | None, currency: str) -> str:
    """Nothing for a missing amount, rather than a made-up zero."""
    return "" if amount is None else money_text(amount, currency)
