"""Webhook endpoints under /portal/webhooks/: register (the secret shown once), change, turn
off, delete, and each endpoint's delivery log with replay. Operators manage the practice-wide
endpoints (and can see every one); a client owner manages their organisations'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cto.core.htmx import announce
from cto.users.http import AuthenticatedRequest
from cto.webhooks import selectors, services
from cto.webhooks.forms import EndpointForm
from cto.webhooks.models import Endpoint

LIST = "webhooks/endpoint_list.html"
DETAIL = "webhooks/endpoint_detail.html"


def _create_form(request: AuthenticatedRequest, data: object = None) -> EndpointForm | None:
    """The registration form for this person, or None when they may register nothing."""
    if request.user.is_staff:
        return EndpointForm(data)
    owned = selectors.owned_organizations(user=request.user)
    return EndpointForm(data, organizations=owned) if owned.exists() else None


def _list(
    request: AuthenticatedRequest,
    *,
    form: EndpointForm | None,
    created: services.CreatedEndpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "endpoints": selectors.endpoint_list(user=request.user),
        "form": form,
        "created": created,
    }
    return render(request, f"{LIST}#endpoints" if request.htmx else LIST, context, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def endpoint_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "GET":
        return _list(request, form=_create_form(request))
    form = _create_form(request, request.POST)
    if form is None:
        raise PermissionDenied("Only an owner of an organisation registers its webhooks.")
    if form.is_valid():
        try:
            created = services.endpoint_create(
                organization=form.cleaned_data.get("organization"),
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                types=form.cleaned_data["event_types"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            # Not a redirect: the answer shows the secret, which must not sit in a session.
            response = _list(request, form=_create_form(request), created=created, status=201)
            text = "Endpoint registered: copy its signing secret now."
            return announce(response, text) if request.htmx else response
    return _list(request, form=form, status=422)


def _detail(
    request: AuthenticatedRequest, endpoint: Endpoint, *, form: EndpointForm | None = None
) -> dict[str, object]:
    return {
        "endpoint": endpoint,
        "form": form
        or EndpointForm(
            editing=True,
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "active": endpoint.active,
            },
        ),
        "deliveries": selectors.delivery_log(endpoint=endpoint),
        "log_limit": selectors.DELIVERY_LOG,
    }


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def endpoint_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    if request.method == "GET":
        template = f"{DETAIL}#deliveries" if request.htmx else DETAIL
        return render(request, template, _detail(request, endpoint))
    form = EndpointForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                types=form.cleaned_data["event_types"],
                active=form.cleaned_data["active"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Endpoint saved.")
            return HttpResponseRedirect(endpoint.get_absolute_url(), status=303)
    return render(request, DETAIL, _detail(request, endpoint, form=form), status=422)


@require_POST
@login_required
def endpoint_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    services.endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, f"Endpoint {endpoint.url} deleted.")
    return HttpResponseRedirect(reverse("webhooks:list"), status=303)


@require_POST
@login_required
def delivery_replay(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    endpoint = delivery.endpoint
    try:
        services.delivery_replay(delivery=delivery, by=request.user)
    except ValidationError as refused:
        text = " ".join(refused.messages)
        status = 409
    else:
        text = f"Delivery {delivery.message_id} queued to be sent again."
        status = 200
    if request.htmx:
        response = render(
            request, f"{DETAIL}#deliveries", _detail(request, endpoint), status=status
        )
        return announce(response, text)
    (messages.success if status == 200 else messages.error)(request, text)
    return HttpResponseRedirect(endpoint.get_absolute_url(), status=303)
