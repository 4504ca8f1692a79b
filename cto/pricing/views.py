"""Pricing pages: the public tier comparison, a quote (operators build and send it, clients
accept it by signing), and the operators' recurring revenue."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.core.client_address import client_address
from cto.core.forms import ServiceForm, first_error
from cto.core.htmx import HtmxHttpRequest
from cto.engagements.selectors import engagement_get
from cto.pricing import forms, selectors, services
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.users.http import AuthenticatedRequest


@require_GET
def pricing_page(request: HtmxHttpRequest) -> HttpResponse:
    from cto.intake.models import TreeVersion  # the scope rows live with the intake's tree

    tiers = list(PricingTier.objects.filter(active=True))
    generic = [t for t in tiers if t.kind == PricingTier.Kind.GENERIC]
    ai = [t for t in tiers if t.kind == PricingTier.Kind.AI]
    premiums = [
        (g, a, round(100 * (a.monthly_retainer - g.monthly_retainer) / g.monthly_retainer))
        for g, a in zip(generic, ai, strict=False)
        if g.monthly_retainer
    ]
    tree = TreeVersion.objects.current("cto-fit")
    context = {
        "generic": generic,
        "ai": ai,
        "premiums": premiums,
        "scope_rows": tree.parsed().scope_rows if tree else (),
    }
    return render(request, "pricing/pricing.html", context)


def _quote(request: AuthenticatedRequest, pk: int) -> Quote:
    """A quote of an engagement the user may see (404 otherwise), with what the page shows."""
    options = QuoteOption.objects.select_related("tier").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id"))
    )
    return get_object_or_404(
        Quote.objects.for_user(request.user)
        .select_related("engagement__organization", "accepted_option", "supersedes")
        .prefetch_related(Prefetch("options", queryset=options)),
        pk=pk,
    )


def _quote_page(
    request: AuthenticatedRequest,
    quote: Quote,
    *,
    accept_form: forms.AcceptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The quote page; with a refused acceptance's form, its fields hold what was typed."""
    options = [(option, option.totals()) for option in quote.options.all()]
    context = {"quote": quote, "options": options, "accept_form": accept_form}
    return render(request, "pricing/quote_detail.html", context, status=status)


def _refused(
    request: AuthenticatedRequest, quote: Quote, form: BaseForm, message: str | None = None
) -> HttpResponse:
    """The quote page again with the form's (or the service's) message: 422, nothing written.
    An acceptance form comes back filled in, so a client who forgot the box re-types nothing."""
    messages.error(request, message or first_error(form))
    accept_form = form if isinstance(form, forms.AcceptForm) else None
    return _quote_page(request, quote, accept_form=accept_form, status=422)


@require_GET
@never_cache
@login_required
def quote_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _quote_page(request, _quote(request, pk))


def _after(
    request: AuthenticatedRequest,
    quote: Quote,
    change: Callable[..., object],
    done: str,
    form: ServiceForm | None = None,
) -> HttpResponse:
    """Run one change of the quote, with the form's typed values when it has a form, then go to
    the quote (or the new one the change made) with how it went. A refused form shows the page
    again instead: 422, nothing written."""
    if form is not None and not form.is_valid():
        return _refused(request, quote, form)
    try:
        result = change(**form.arguments()) if form is not None else change()
    except services.QuoteError as refused:
        messages.error(request, refused.messages[0])
        return HttpResponseRedirect(quote.get_absolute_url(), status=303)
    messages.success(request, done)
    target = result if isinstance(result, Quote) else quote
    return HttpResponseRedirect(target.get_absolute_url(), status=303)


@require_POST
@login_required
def quote_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = forms.AcceptForm(request.POST, quote=quote)
    if not form.is_valid():
        return _refused(request, quote, form)
    signature = form.signature(
        ip=client_address(request), user_agent=request.headers.get("User-Agent", "")
    )
    try:
        services.quote_accept(quote=quote, signature=signature, by=request.user)
    except services.QuoteError as refused:
        return _refused(request, quote, form, refused.messages[0])
    messages.success(request, "Thank you: the quote is accepted and the engagement has started.")
    return HttpResponseRedirect(quote.get_absolute_url(), status=303)


@require_POST
@login_required
def quote_decline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    change = partial(services.quote_decline, quote=quote, by=request.user)
    return _after(request, quote, change, "Quote declined.")


def _operator_quote(request: AuthenticatedRequest, pk: int) -> Quote:
    quote = _quote(request, pk)
    if not request.user.is_staff:
        raise PermissionDenied("Only the practice's operators change quotes.")
    return quote


@require_POST
@login_required
def quote_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    quote = _operator_quote(request, pk)
    return _after(
        request, quote, partial(services.quote_send, quote=quote, by=request.user), "Sent."
    )


@require_POST
@login_required
def quote_revise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    quote = _operator_quote(request, pk)
    change = partial(services.quote_revise, quote=quote, by=request.user)
    return _after(request, quote, change, "A new draft revision: edit it, then send it.")


@require_POST
@login_required
def line_remove(request: AuthenticatedRequest, pk: int, line_pk: int) -> HttpResponse:
    quote = _operator_quote(request, pk)
    line = get_object_or_404(
        QuoteLine.objects.select_related("option__quote"), pk=line_pk, option__quote=quote
    )
    change = partial(services.quote_line_remove, line=line, by=request.user)
    return _after(request, quote, change, "Line removed.")


@require_POST
@login_required
def line_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    quote = _operator_quote(request, pk)
    form = forms.LineForm(request.POST, quote=quote)
    change = partial(services.quote_line_add, by=request.user)
    return _after(request, quote, change, "Line added.", form=form)


@require_POST
@staff_member_required
def quote_new(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    form = forms.QuoteNewForm(request.POST)
    try:
        if not form.is_valid():
            # The form sits on the engagement page, another app's: refused like the service's
            # refusals, with the message on that page.
            raise services.QuoteError(first_error(form))
        quote = services.quote_draft(engagement=engagement, by=request.user, **form.arguments())
    except services.QuoteError as refused:
        messages.error(request, refused.messages[0])
        return HttpResponseRedirect(engagement.get_absolute_url(), status=303)
    messages.success(request, "Quote drafted with the proposed add-ons: keep or remove each.")
    return HttpResponseRedirect(quote.get_absolute_url(), status=303)


@require_GET
@never_cache
@staff_member_required
def revenue(request: AuthenticatedRequest) -> HttpResponse:
    expiring = (
        Quote.objects.filter(status=Quote.Status.SENT)
        .select_related("engagement__organization")
        .order_by("valid_until")[:20]
    )
    return render(
        request,
        "pricing/revenue.html",
        {"mrr": sorted(selectors.monthly_recurring_revenue().items()), "expiring": expiring},
    )
