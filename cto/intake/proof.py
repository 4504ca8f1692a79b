"""The link in the result email that lets the owner of the typed address confirm the lead (or
say it was not them): a signed, expiring token naming the response.

Signed with the SECRET_KEY and a salt of its own, so no other signed value of the project can
stand in for it; it names the response by id only, so the link reveals nothing, and it
expires after PROOF_LINK_MAX_AGE (a forwarded or leaked mail stops working).
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.urls import reverse

_SALT = "cto.intake.proof"
PROOF_LINK_MAX_AGE = datetime.timedelta(days=14)


def _signer() -> signing.TimestampSigner:
    # "." never occurs in URL-safe base64, so the token is one clean path segment.
    return signing.TimestampSigner(salt=_SALT, sep=".")


def proof_token(response_id: int) -> str:
    return _signer().sign(str(response_id))


def response_id_of(token: str) -> int | None:
    """The response a token names, or None when it is forged, mangled or expired."""
    try:
        value = _signer().unsign(token, max_age=PROOF_LINK_MAX_AGE)
    except signing.BadSignature:  # expired ones too
        return None
    return int(value) if value.isascii() and value.isdigit() else None


def proof_path(response_id: int) -> str:
    return reverse("intake:confirm", kwargs={"token": proof_token(response_id)})
