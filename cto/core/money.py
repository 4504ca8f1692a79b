"""Sums of money as a person reads them: one format for the web pages, the admin and the PDF
snapshots, so a quote says the same thing on screen and on paper.

The format is the practice's locale (``LANGUAGE_CODE``), written by Babel from the Unicode
CLDR: grouping, decimal mark, the currency's symbol and where it goes (``€131,000.00`` in
en-gb, ``131.000,00 €`` in de). Django's number formatting knows the separators but not where a
currency goes, hence Babel. The locale is the setting, never the request's language, so a
snapshot written by a worker reads as the page its requester saw."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_currency
from django.conf import settings
from django.utils.translation import to_locale

MINUS = "\u2212"  # the typographic minus sign, not the hyphen, before a discount


@cache
def _locale(language_code: str) -> Locale:
    return Locale.parse(to_locale(language_code))


def money_text(amount: Decimal | int, currency: str) -> str:
    """``€131,000.00`` in the practice's locale; a negative amount (a discount) with a minus
    sign before it. Digits as the currency has them (two for EUR, none for JPY)."""
    sign = MINUS if amount < 0 else ""
    locale = _locale(settings.LANGUAGE_CODE)
    return sign + format_currency(abs(Decimal(amount)), currency, locale=locale)
