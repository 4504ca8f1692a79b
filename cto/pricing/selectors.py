"""Reads of pricing for operators."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from cto.engagements.stages import Stage
from cto.pricing.models import Quote


def monthly_recurring_revenue() -> dict[str, Decimal]:
    """Per currency: the monthly totals of the accepted options of running engagements."""
    running = (Stage.ACTIVE, Stage.ONGOING)
    accepted = (
        Quote.objects.filter(status=Quote.Status.ACCEPTED, engagement__stage__in=running)
        .select_related("accepted_option")
        .prefetch_related("accepted_option__lines")
    )
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for quote in accepted:
        option = quote.accepted_option
        if option is not None:
            option.quote = quote  # the totals read the quote's currency
            revenue[quote.currency] += option.totals().monthly
    return dict(revenue)
