"""allauth customisation, through its adapter rather than copied views."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from cto.brand.selectors import brand_current
from cto.core.client_address import client_address
from cto.users.addresses import normalize_email


@dataclass(frozen=True)
class BrandedSite:
    """What allauth's email templates read as ``current_site``: the practice's name and the
    public address, where allauth would take the request's host (no django.contrib.sites)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Clients arrive through the intake or an invitation; open sign-up is a setting."""
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        """A service account acts only through its API tokens: it never has a session,
        whichever way to sign in was tried (it has no password, and mail to its address goes
        nowhere; this holds even if one were set)."""
        if getattr(user, "is_service_account", False):
            raise PermissionDenied("A service account does not sign in: it uses its API tokens.")
        return super().pre_login(request, user, **kwargs)

    def clean_email(self, email: str) -> str:
        """Every address allauth's forms take (sign-in, code requests, sign-up, adding an
        address) in the project's one normal form, so that it finds the rows we stored."""
        return normalize_email(super().clean_email(email))

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's sign-in and code limits count by: the same as the intake's
        limits (RATELIMIT_IP_META_KEY), the client's own behind the proxy."""
        return client_address(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails speak as the practice: its brand for our templates
        (templates/account/email/), and its name where allauth's would say the host."""
        identity = brand_current()
        site = BrandedSite(name=identity.name, domain=urlsplit(settings.SITE_URL).netloc)
        super().send_mail(
            template_prefix, email, {"brand": identity, "current_site": site, **context}
        )

    def format_email_subject(self, subject: str) -> str:
        """``[Practice name] subject``, as our own emails, unless the setting names a prefix."""
        if allauth_settings.EMAIL_SUBJECT_PREFIX is not None:
            return super().format_email_subject(subject)
        return f"[{brand_current().name}] {subject}"

    def get_from_email(self) -> str:
        """DEFAULT_FROM_EMAIL's address, under the practice's name."""
        _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        return formataddr((brand_current().name, address or settings.DEFAULT_FROM_EMAIL))
