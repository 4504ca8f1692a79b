"""/api/v1/ quotes, read only: an engagement's quotes and one quote with its options, lines and
totals, as the quote page shows them (a client never sees a draft). Accepting a quote is a
person's act, signed on the quote's page in the portal: the API has no write here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from cto.api.v1 import schemas
from cto.api.v1.acting import user_of
from cto.api.v1.pagination import Page, PageQuery, paginate
from cto.api.v1.strict import known_query
from cto.engagements.selectors import engagement_get
from cto.pricing.models import Quote, QuoteLine, QuoteOption
from cto.users.models import User

router = Router(tags=["quotes"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _summary(request: HttpRequest, quote: Quote) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "engagement": quote.engagement_id,
        "number": quote.number,
        "revision": quote.revision,
        "status": quote.status,
        "status_label": quote.display_status,
        "currency": quote.currency,
        "valid_until": quote.valid_until,
        "sent_at": quote.sent_at,
        "accepted_at": quote.accepted_at,
        "accepted_option": quote.accepted_option.label if quote.accepted_option else None,
        "version": quote.version,
        "url": request.build_absolute_uri(quote.get_absolute_url()),
    }


def _quotes(user: User) -> QuerySet[Quote]:
    """The quotes ``user`` may read (Quote.objects.for_user: no draft for a client), with the
    option their acceptance names."""
    return Quote.objects.for_user(user).select_related("accepted_option")


@router.get(
    "/engagements/{id:pk}/quotes",
    response={200: Page[schemas.QuoteSummary], **ERRORS},
    url_name="quote_list",
    summary="An engagement's quotes",
)
def quote_list(request: HttpRequest, pk: int, page: Query[PageQuery]) -> dict[str, Any]:
    """The quotes you may read, the latest number and revision first (a client sees no
    drafts)."""
    known_query(request, PageQuery)
    user = user_of(request)
    engagement = engagement_get(user=user, pk=pk)
    quotes = _quotes(user).filter(engagement=engagement).order_by("-number", "-revision")
    result = paginate(quotes, page)
    result["items"] = [_summary(request, quote) for quote in result["items"]]
    return result


@router.get(
    "/quotes/{id:pk}",
    response={200: schemas.QuoteDetail, **ERRORS},
    url_name="quote_detail",
    summary="One quote, with its options and totals",
)
def quote_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The quote as its page shows it. To accept it, a client signs on the page (``url``)."""
    known_query(request)
    options = QuoteOption.objects.select_related("tier").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id"))
    )
    quote = get_object_or_404(
        _quotes(user_of(request)).prefetch_related(Prefetch("options", queryset=options)), pk=pk
    )
    result = _summary(request, quote)
    result.update(
        terms=quote.terms,
        recommended=quote.recommended_label,
        recommendation_reason=quote.recommendation_reason,
        options=[],
    )
    for option in quote.options.all():
        totals = option.totals()
        result["options"].append(
            {
                "id": option.pk,
                "label": option.label,
                "tier": option.tier.name,
                "minimum_term_months": option.minimum_term_months,
                "lines": [
                    {
                        "label": line.label,
                        "kind": line.kind,
                        "period": line.period,
                        "amount": _number(line.amount),
                        "factor": _number(line.factor),
                        "reason": line.reason,
                    }
                    for line in option.lines.all()
                ],
                "totals": {
                    "monthly": _number(totals.monthly),
                    "one_off": _number(totals.one_off),
                    "first_term": _number(totals.first_term),
                },
            }
        )
    return result
