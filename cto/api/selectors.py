"""Reads of API tokens: a person's own, and (for operators) the service accounts' tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cto.api.models import ApiToken
from cto.users.models import User


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """``user``'s own tokens, newest first (an operator's too: nobody lists another's)."""
    return ApiToken.objects.filter(user=user).select_related("user")


def token_get(*, user: User, pk: int) -> ApiToken:
    """One of ``user``'s tokens; 404 for anyone else's."""
    return get_object_or_404(token_list(user=user), pk=pk)


def service_account_list() -> QuerySet[User]:
    """Every service account, active first, with its organisation and tokens (for operators:
    the views check)."""
    return (
        User.objects.filter(is_service_account=True)
        .prefetch_related("memberships__organization", "api_tokens")
        .order_by("-is_active", "name", "id")
    )


def service_account_get(*, pk: int) -> User:
    """One service account; 404 for a person's id."""
    return get_object_or_404(User.objects.filter(is_service_account=True), pk=pk)


def service_account_token_get(*, account: User, pk: int) -> ApiToken:
    """One of the account's tokens; 404 for any other."""
    return get_object_or_404(ApiToken.objects.filter(user=account).select_related("user"), pk=pk)
