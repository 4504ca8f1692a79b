"""Team pages under /portal/: an organisation's members and open invitations (owners invite,
withdraw and remove in place with htmx, or by plain forms), and the page an emailed
invitation link opens."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.core import is_ratelimited

from cto.core.htmx import HtmxHttpRequest, announce
from cto.core.ratelimits import too_many_requests
from cto.users import selectors, services
from cto.users.forms import InvitationForm
from cto.users.http import AuthenticatedRequest
from cto.users.models import Invitation, Organization, User

TEAM = "users/membership_list.html"
INVITATION = "users/invitation_detail.html"
# Invitations one person may send; counted per user (not per address, as the public forms
# are), so colleagues behind one office address do not share a budget.
INVITE_RATE = "30/h"

# How the invitation page answers each reason an invitation cannot be accepted.
REFUSAL_STATUS = {
    "invalid": 404,
    "used": 410,
    "revoked": 410,
    "expired": 410,
    "wrong_email": 403,
    "account_exists": 409,
}


def _team_page(
    request: AuthenticatedRequest,
    pk: int,
    *,
    form: InvitationForm | None = None,
    error: str = "",
    done: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "team": selectors.team_get(user=request.user, pk=pk),
        "form": form or InvitationForm(),
        "error": error,
        "done": done,
    }
    return render(request, f"{TEAM}#team" if request.htmx else TEAM, context, status=status)


def _owner_only(request: AuthenticatedRequest, organization: Organization, action: str) -> None:
    if not selectors.is_owner(organization=organization, user=request.user):
        raise PermissionDenied(f"Only an owner of {organization} can {action}.")


def _done(request: AuthenticatedRequest, pk: int, message: str) -> HttpResponse:
    """After a change: the refreshed team for htmx, a redirect to the page for a plain form."""
    if request.htmx:
        return announce(_team_page(request, pk, done=message), message)
    messages.success(request, message)
    return HttpResponseRedirect(reverse("users:team", args=[pk]), status=303)


@require_GET
@never_cache
@login_required
def team(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _team_page(request, pk)


@require_POST
@login_required
def invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get(user=request.user, pk=pk)
    _owner_only(request, organization, "invite people")
    if is_ratelimited(request, group="users.invite", key="user", rate=INVITE_RATE, increment=True):
        return too_many_requests(request)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_send(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except services.TeamError as refused:
            form.add_error(None, refused)
        else:
            return _done(request, pk, f"Invitation sent to {invitation.email}.")
    return _team_page(request, pk, form=form, status=422)


@require_POST
@login_required
def invitation_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    organization = invitation.organization
    _owner_only(request, organization, "withdraw invitations")
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except services.TeamError as refused:
        return _team_page(request, organization.pk, error=refused.messages[0], status=422)
    return _done(request, organization.pk, f"The invitation of {invitation.email} was withdrawn.")


@require_POST
@login_required
def membership_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, pk=pk)
    organization = membership.organization
    leaving = membership.user_id == request.user.pk
    if not leaving:
        _owner_only(request, organization, "remove members")
    try:
        services.membership_remove(membership=membership, by=request.user)
    except services.TeamError as refused:
        return _team_page(request, organization.pk, error=refused.messages[0], status=422)
    if not leaving:
        return _done(
            request, organization.pk, f"{membership.user.email} was removed from {organization}."
        )
    # Their own team page is out of reach now: back to what they still see.
    messages.success(request, f"You have left {organization}.")
    home = reverse("engagements:portal_home")
    if request.htmx:
        return HttpResponseClientRedirect(home)
    return HttpResponseRedirect(home, status=303)


@require_http_methods(["GET", "POST"])
@never_cache
def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The emailed link. GET shows whom it is for and a button; POST accepts: for a visitor
    with no account one is made and signed in, one with an account signs in first (by code)
    and comes back here."""
    found = Invitation.objects.from_token(token)
    if found is None:
        raise Http404("This invitation link is not valid.")
    user = request.user if request.user.is_authenticated else None
    if user is not None and found.accepted_by_id == user.pk:
        messages.info(request, f"You are a member of {found.organization} already.")
        return HttpResponseRedirect(reverse("engagements:portal_home"), status=303)
    here = request.get_full_path()
    sign_in_url = f"{reverse('account_request_login_code')}?{urlencode({'next': here})}"
    account_exists = user is None and User.objects.filter(email=found.email).exists()
    context = {
        "invitation": found,
        "account_exists": account_exists,
        "sign_in_url": sign_in_url,
        "here": here,
        "error": "",
    }
    try:
        services.invitation_check(invitation=found, user=user)
        if request.method == "POST":
            if account_exists:
                return HttpResponseRedirect(sign_in_url, status=303)
            membership = services.invitation_accept(token=token, user=user)
            home = reverse("engagements:portal_home")
            messages.success(request, f"Welcome to {membership.organization}.")
            if user is None:
                return perform_login(
                    request, membership.user, redirect_url=home, email=membership.user.email
                )
            return HttpResponseRedirect(home, status=303)
    except services.TeamError as refused:
        context["error"] = refused.messages[0]
        status = REFUSAL_STATUS.get(getattr(refused, "code", ""), 422)
        return render(request, INVITATION, context, status=status)
    return render(request, INVITATION, context)
