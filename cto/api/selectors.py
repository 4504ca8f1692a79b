"""Reads of personal access tokens, always the asking person's own."""

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
