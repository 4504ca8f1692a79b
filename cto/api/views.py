"""The person's own API tokens under /portal/tokens/: create (the secret shown once), list with
last use, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cto.api import selectors, services
from cto.api.forms import TokenForm
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
