"""API tokens: the person's own under /portal/tokens/ (create, the secret shown once; list with
last use; revoke), and the operators' service accounts under /portal/service-accounts/ (make
one for the practice or an organisation, give it tokens, revoke them, deactivate it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cto.api import selectors, service_accounts, services
from cto.api.forms import ServiceAccountForm, TokenForm
from cto.core.htmx import announce
from cto.users.http import AuthenticatedRequest

PAGE = "api/token_list.html"


def _page(
    request: AuthenticatedRequest,
    *,
    form: TokenForm | None = None,
    created: services.CreatedToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "tokens": selectors.token_list(user=request.user),
        "form": form or TokenForm(),
        "created": created,
    }
    return render(request, f"{PAGE}#tokens" if request.htmx else PAGE, context, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            # The answer shows the secret, so it is not a redirect: a secret carried to the
            # next page would sit in the session store. It is shown this once and never kept.
            response = _page(request, created=created, status=201)
            text = f"Token “{created.token.name}” created: copy it now."
            return announce(response, text) if request.htmx else response
    return _page(request, form=form, status=422)


@require_POST
@login_required
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = services.token_revoke(
        token=selectors.token_get(user=request.user, pk=pk), by=request.user
    )
    text = f"Token “{token.name}” revoked: it no longer works."
    if request.htmx:
        return announce(_page(request), text)
    messages.success(request, text)
    return HttpResponseRedirect(reverse("tokens:list"), status=303)


# --- Service accounts (operators) ---------------------------------------------------------------

ACCOUNTS_PAGE = "api/service_account_list.html"


def _accounts_page(
    request: AuthenticatedRequest,
    *,
    form: ServiceAccountForm | None = None,
    created: services.CreatedToken | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "accounts": selectors.service_account_list(),
        "form": form or ServiceAccountForm(),
        "token_form": TokenForm(),
        "created": created,
        "refused": refused,
    }
    template = f"{ACCOUNTS_PAGE}#accounts" if request.htmx else ACCOUNTS_PAGE
    return render(request, template, context, status=status)


def _accounts_done(request: AuthenticatedRequest, text: str) -> HttpResponse:
    if request.htmx:
        return announce(_accounts_page(request), text)
    messages.success(request, text)
    return HttpResponseRedirect(reverse("tokens:service_accounts"), status=303)


@require_http_methods(["GET", "POST"])
@never_cache
@staff_member_required
def service_account_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "GET":
        return _accounts_page(request)
    form = ServiceAccountForm(request.POST)
    if form.is_valid():
        try:
            account = service_accounts.service_account_create(
                name=form.cleaned_data["name"],
                organization=form.cleaned_data["organization"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            return _accounts_done(
                request, f"Service account “{account.name}” made: give it a token."
            )
    return _accounts_page(request, form=form, status=422)


@require_POST
@never_cache
@staff_member_required
def service_account_token_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = selectors.service_account_get(pk=pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        refused = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _accounts_page(request, refused=f"{account.name}: {refused}", status=422)
    try:
        created = services.token_create(user=account, **form.cleaned_data, by=request.user)
    except ValidationError as error:
        return _accounts_page(request, refused=" ".join(error.messages), status=422)
    # Shown this once, as on the person's own token page: not a redirect, nothing kept.
    response = _accounts_page(request, created=created, status=201)
    text = f"Token “{created.token.name}” for {account.name} created: copy it now."
    return announce(response, text) if request.htmx else response


@require_POST
@staff_member_required
def service_account_token_revoke(
    request: AuthenticatedRequest, pk: int, token_pk: int
) -> HttpResponse:
    account = selectors.service_account_get(pk=pk)
    token = selectors.service_account_token_get(account=account, pk=token_pk)
    services.token_revoke(token=token, by=request.user)
    return _accounts_done(request, f"Token “{token.name}” of {account.name} revoked.")


@require_POST
@staff_member_required
def service_account_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = service_accounts.service_account_deactivate(
        account=selectors.service_account_get(pk=pk), by=request.user
    )
    return _accounts_done(request, f"{account.name} deactivated: its tokens no longer work.")
