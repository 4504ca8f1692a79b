"""allauth customisation, through its adapter rather than copied views."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Clients arrive through the intake or an invitation; open sign-up is a setting."""
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))
