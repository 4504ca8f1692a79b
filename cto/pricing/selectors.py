"""Reads of pricing for operators."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import QuerySet, Sum

from cto.engagements.selectors import waiting_total
from cto.engagements.stages import RESTING_STAGES, Stage
from cto.pricing.models import Quote

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def monthly_recurring_revenue() -> dict[str, Decimal]:
    """Per currency: the monthly totals of the accepted options of running engagements, as
    signed (``Quote.accepted_monthly``). One query, however many engagements are running."""
    running = (Stage.ACTIVE, Stage.ONGOING)
    totals = (
        Quote.objects.filter(status=Quote.Status.ACCEPTED, engagement__stage__in=running)
        .order_by()
        .values("currency")
        .annotate(monthly=Sum("accepted_monthly"))
        .values_list("currency", "monthly")
    )
    # In cents, as stored. PostgreSQL's SUM keeps the column's scale; SQLite sums in floating
    # point and hands back 16387.5 for 16387.50, which pages would print as it came.
    cents = Decimal(1).scaleb(-Quote._meta.get_field("accepted_monthly").decimal_places)
    return {currency: monthly.quantize(cents) for currency, monthly in totals}


class ExpiringQuote(TypedDict):
    """What ``quotes_expiring`` adds to each Quote."""

    waiting_total: int


def quotes_expiring(
    *, by: datetime.date, limit: int
) -> QuerySet[WithAnnotations[Quote, ExpiringQuote]]:
    """Sent quotes still unanswered that expire on or before ``by`` (expired ones included),
    of engagements still in play, the soonest first, at most ``limit``: one query. Each
    carries ``waiting_total`` (every such quote, shown or not)."""
    return (
        Quote.objects.filter(status=Quote.Status.SENT, valid_until__lte=by)
        .exclude(engagement__stage__in=RESTING_STAGES)
        .select_related("engagement__organization", "engagement__lead")
        .annotate(waiting_total=waiting_total())
        .order_by("valid_until", "id")[:limit]
    )
