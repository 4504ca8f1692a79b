"""Which response this browser is answering: a signed cookie holding the response's token.

Prospects have no account, and this token is all the intake needs to know about them, so they
get no server-side session: no session row for every visitor (or bot) who starts, and no cache
read on every step. The token is the same secret as the resume link the prospect may have
emailed to themselves; the cookie is signed (a forged or altered one reads as none), HttpOnly,
and ends SESSION_COOKIE_AGE after the last answer, as a session would.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

Page = TypeVar("Page", bound=HttpResponseBase)

COOKIE = "intake"
_SALT = "cto.intake.prospect"


def token_of(request: HttpRequest) -> str | None:
    """The token of the response this browser holds, or None (no cookie, forged or expired)."""
    return unsigned(request.COOKIES.get(COOKIE, ""))


def signed(token: str) -> str:
    """The cookie's value for ``token`` (`remember` sets it; tools that act as a browser, like
    the drills, send it)."""
    return _signer().sign(token)


def unsigned(value: str) -> str | None:
    """The token in a cookie's value, or None when it is missing, forged or expired."""
    try:
        return _signer().unsign(value, max_age=settings.SESSION_COOKIE_AGE) or None
    except signing.BadSignature:  # expired ones too
        return None


def _signer() -> signing.TimestampSigner:
    return signing.get_cookie_signer(salt=_SALT)


def remember(page: Page, token: str) -> Page:
    """Have the browser hold ``token`` for another SESSION_COOKIE_AGE seconds."""
    page.set_cookie(
        COOKIE,
        signed(token),
        max_age=settings.SESSION_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",  # sent on the link from an email, not on a foreign site's form post
    )
    return page
