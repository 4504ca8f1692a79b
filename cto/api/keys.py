"""The form of a personal access token, with no I/O: making one, reading one, hashing one.

A token reads ``cto_<public id>_<secret>``: the prefix makes a leaked token recognisable (secret
scanners look for such prefixes), the public id finds its row, and the secret proves it. Only
the SHA-256 of the whole token is stored. The secret is 190 bits from the system's CSPRNG, so a
fast hash is enough: a slow KDF protects low-entropy passwords against guessing, and nobody
guesses 190 bits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

PREFIX = "cto_"
ALPHABET = string.ascii_letters + string.digits
PUBLIC_ID_ALPHABET = string.ascii_lowercase + string.digits
PUBLIC_ID_LENGTH = 10
SECRET_LENGTH = 32  # 32 characters of 62: about 190 bits
TOKEN = re.compile(
    rf"{PREFIX}(?P<public_id>[a-z0-9]{{{PUBLIC_ID_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}"
)


@dataclass(frozen=True)
class NewToken:
    public_id: str
    token: str  # the whole token: shown once, never stored
    digest: str  # what is stored


def token_make() -> NewToken:
    public_id = "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))
    secret = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    token = f"{PREFIX}{public_id}_{secret}"
    return NewToken(public_id=public_id, token=token, digest=token_digest(token))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_public_id(token: str) -> str | None:
    """The public id of a well-formed token; None for anything else."""
    match = TOKEN.fullmatch(token)
    return match["public_id"] if match else None


def token_matches(token: str, digest: str) -> bool:
    """Whether ``token`` hashes to ``digest``, compared in constant time."""
    return hmac.compare_digest(token_digest(token), digest)
