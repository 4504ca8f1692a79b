"""The latest quote as a report shows it: its options with their lines and totals, the terms,
the recommendation and why, and the acceptance (who, when, which option, the typed signature);
and the pricing tiers it was built from, by content, since tiers are edited in place."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from cto.core.versioning import definition_checksum
from cto.engagements.models import Engagement
from cto.pricing import calculator
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.reports.snapshot.formats import MINUS, TIMES, day, moment, money, number


def latest_quote(engagement: Engagement) -> Quote | None:
    """The newest quote sent to the client and not replaced by a revision, with what a report
    shows of it. Never a draft: every member of the organisation may download a report."""
    options = QuoteOption.objects.select_related("tier").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id"))
    )
    return (
        Quote.objects.filter(engagement=engagement)
        .shown_to_clients()
        .exclude(status=Quote.Status.SUPERSEDED)
        .select_related("accepted_by")
        .prefetch_related(Prefetch("options", queryset=options))
        .order_by("-number", "-revision")
        .first()
    )


def tiers_version(tiers: Iterable[PricingTier]) -> str:
    """The tiers a quote was built from, named by their keys and the checksum of what they
    say now (prices, days, term, inclusions): tiers carry no version number of their own."""
    unique = sorted({tier.key: tier for tier in tiers}.values(), key=lambda tier: tier.key)
    content = [
        {
            "key": tier.key,
            "name": tier.name,
            "kind": tier.kind,
            "currency": tier.currency,
            "monthly_retainer": str(tier.monthly_retainer),
            "days_per_week": str(tier.days_per_week),
            "week_one_fee": str(tier.week_one_fee),
            "minimum_term_months": tier.minimum_term_months,
            "includes": tier.includes,
        }
        for tier in unique
    ]
    edited = max((tier.updated_at for tier in unique), default=None)
    return (
        f"{', '.join(tier.key for tier in unique)} "
        f"(sha256 {definition_checksum(content)[:12]}, last changed {day(edited)})"
    )


def _line(priced: calculator.PricedLine, currency: str) -> dict[str, str]:
    line = priced.line
    if line.kind == QuoteLine.Kind.MULTIPLIER:
        value = f"{TIMES} {number(line.factor)}"
    elif line.kind == QuoteLine.Kind.DISCOUNT_PERCENT:
        value = f"{MINUS} {number(line.factor)} %"
    else:
        value = money(line.amount or Decimal(0), currency)
    return {
        "label": line.label,
        "period": QuoteLine.Period(line.period).label
        if line.kind == QuoteLine.Kind.AMOUNT
        else "Monthly",
        "value": value,
        "effect": money(priced.effect, currency),
        "reason": line.reason,
    }


def quote_part(quote: Quote) -> dict[str, Any]:
    """``quote`` (as ``latest_quote`` reads it) as plain data, its totals computed here."""
    currency = quote.currency
    options = []
    for option in quote.options.all():
        totals = option.totals()
        tier = option.tier
        options.append(
            {
                "label": option.get_label_display(),
                "tier": tier.name,
                "tier_kind": tier.get_kind_display(),
                "days_per_week": number(tier.days_per_week),
                "includes": [str(item) for item in tier.includes or []],
                "minimum_term_months": option.minimum_term_months,
                "lines": [_line(priced, currency) for priced in totals.lines],
                "monthly": money(totals.monthly, currency),
                "one_off": money(totals.one_off, currency),
                "first_term": money(totals.first_term, currency),
                "recommended": option.label == quote.recommended_label,
                "accepted": option.pk == quote.accepted_option_id,
            }
        )
    accepted = next((o for o in options if o["accepted"]), None)
    return {
        "number": f"{quote.number}.{quote.revision}",
        "status": quote.display_status,
        "currency": currency,
        "sent": day(quote.sent_at),
        "valid_until": day(quote.valid_until),
        "terms": quote.terms,
        "recommended": next((o["label"] for o in options if o["recommended"]), None),
        "reason": quote.recommendation_reason,
        "options": options,
        "acceptance": {
            "option": accepted["label"] if accepted else None,
            "tier": accepted["tier"] if accepted else None,
            "signature": quote.signer_name,
            "by": str(quote.accepted_by) if quote.accepted_by else None,
            "by_email": quote.accepted_by.email if quote.accepted_by else None,
            "at": moment(quote.accepted_at),
        }
        if quote.status == Quote.Status.ACCEPTED
        else None,
        "tiers": tiers_version(option.tier for option in quote.options.all()),
    }


def proposed_tier(quote: dict[str, Any]) -> dict[str, Any] | None:
    """The option the week-one report proposes: the accepted one, else the recommended one."""
    options = quote["options"]
    chosen = next((o for o in options if o["accepted"]), None) or next(
        (o for o in options if o["recommended"]), None
    )
    if chosen is None:
        return None
    # Why the practice proposes it is the quote's reason, accepted or not; the acceptance is a
    # fact of its own, not a reason.
    return {
        **chosen,
        "why": quote["reason"],
        "accepted_at": quote["acceptance"]["at"] if chosen["accepted"] else None,
    }
