"""Reads of pricing for operators."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from cto.engagements.stages import Stage
from cto.pricing.models import Quote


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
    return dict(totals)
