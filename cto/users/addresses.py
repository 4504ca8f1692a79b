"""The one way email addresses are compared: every lookup, store and match goes through
``normalize_email``, so that an address typed in another case or in another Unicode form is
the same address everywhere (the user table, allauth's EmailAddress rows, invitations, the
intake's leads)."""

from __future__ import annotations

import unicodedata


def normalize_email(value: str) -> str:
    """``value`` stripped, in Unicode NFKC and lower case.

    Lower case, not casefold: casefold also rewrites letters (German ß becomes "ss"), which
    would make two different mailboxes one. NFKC folds compatibility forms (full-width
    letters, ligatures) into the letters people mean; what still looks alike after that is
    the look-alike check's business (cto/intake/lookalikes.py), not this one's.
    """
    return unicodedata.normalize("NFKC", value or "").strip().lower()
