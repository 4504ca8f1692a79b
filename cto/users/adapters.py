"""allauth customisation, through its adapter rather than copied views."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from cto.core.client_address import client_address
from cto.users.addresses import normalize_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Clients arrive through the intake or an invitation; open sign-up is a setting."""
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def clean_email(self, email: str) -> str:
        """Every address allauth's forms take (sign-in, code requests, sign-up, adding an
        address) in the project's one normal form, so that it finds the rows we stored."""
        return normalize_email(super().clean_email(email))

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's sign-in and code limits count by: the same as the intake's
        limits (RATELIMIT_IP_META_KEY), the client's own behind the proxy."""
        return client_address(request)
