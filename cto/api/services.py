"""Writes of personal access tokens: create, revoke, and authenticate a request's token."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from cto.api import keys
from cto.api.models import ApiToken
from cto.users.models import User

logger = logging.getLogger("cto.api.tokens")


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the whole token, to be shown once; only its hash is kept


class TokenRefused(Exception):
    """The token does not authenticate; ``detail`` says why, as far as it is safe to say."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def token_create(
    *,
    user: User,
    name: str,
    scope: str,
    days: int | None = None,
    by: User | None,
) -> CreatedToken:
    """Create a token for ``user`` that expires in ``days`` (API_TOKEN_DAYS by default); logs
    the event. The returned secret is the only copy."""
    if scope not in ApiToken.Scope.values:
        raise ValidationError(f"The scope must be “read” or “read write”, not “{scope}”.")
    if not user.is_active:
        raise ValidationError(f"{user.email} is deactivated: a token of theirs would not work.")
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            f"A token lasts between 1 and {settings.API_TOKEN_MAX_DAYS} days, not {days}."
        )
    new = keys.token_make()
    token = ApiToken(
        user=user,
        name=name.strip(),
        scope=scope,
        public_id=new.public_id,
        digest=new.digest,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    logger.info(
        "API token created: %s (%r, scope %r) for %s by %s, expires %s",
        token.prefix,
        token.name,
        token.scope,
        user.email,
        by.email if by else "a management command",
        token.expires_at.isoformat(),
    )
    return CreatedToken(token=token, secret=new.token)


def token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Revoke ``token`` at once (a second revocation changes nothing); logs the event."""
    now = timezone.now()
    # One UPDATE guarded by revoked_at: two revocations at once log and stamp once.
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if changed:
        token.revoked_at = now
        logger.info(
            "API token revoked: %s (%r) of %s by %s",
            token.prefix,
            token.name,
            token.user.email,
            by.email if by else "a management command",
        )
    else:
        token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(*, secret: str) -> ApiToken:
    """The token whose whole text is ``secret``, with its user, or TokenRefused. Stamps its
    last use at most once every API_TOKEN_TOUCH_SECONDS."""
    public_id = keys.token_public_id(secret)
    if public_id is None:
        raise TokenRefused("The bearer token is not a token of this service.")
    token = ApiToken.objects.select_related("user").filter(public_id=public_id).first()
    if token is None or not keys.token_matches(secret, token.digest):
        raise TokenRefused("The bearer token is not recognised.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("The bearer token was revoked.")
    if token.is_expired(now):
        raise TokenRefused("The bearer token has expired: create a new one.")
    if not token.user.is_active:
        raise TokenRefused("The owner of the bearer token is deactivated.")
    _touch(token, now)
    return token


def _touch(token: ApiToken, now: datetime.datetime) -> None:
    touch_before = now - datetime.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)
    if token.last_used_at is not None and token.last_used_at > touch_before:
        return
    # Guarded by the same condition, so concurrent requests write it once between them.
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=touch_before), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now
