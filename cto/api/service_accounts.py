"""Service accounts: the accounts a CI pipeline or an AI agent acts through, when it should
not act as a person (a person leaves; the pipeline stays). An operator makes one for the
practice (it sees what an operator sees) or for one client organisation (it sees what a member
sees), gives it tokens, revokes them and deactivates it.

A service account is a user that never signs in: no usable password, an address on the
reserved ``.invalid`` domain (RFC 2606) that no mail can reach, and the sign-in adapter
refuses it. Nothing emails it (every list of recipients leaves it out), and it is never
offered as the owner of a checklist item. Its changes read "by <its name> via <token>"."""

from __future__ import annotations

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from cto.users.models import Membership, Organization, User

logger = logging.getLogger("cto.api.tokens")
DOMAIN = "service-accounts.invalid"


def _operators_only(by: User) -> None:
    if not by.is_operator:
        raise ValidationError("Only the practice's operators manage service accounts.")


@transaction.atomic
def service_account_create(*, name: str, organization: Organization | None, by: User) -> User:
    """A new service account named ``name`` acting for ``organization`` (as a member) or, when
    None, for the practice (as an operator). It holds no token yet."""
    _operators_only(by)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the account a name, such as “Acme CI”.")
    local = slugify(name)[:40] or "account"
    user = User.objects.create_user(
        email=f"{local}-{secrets.token_hex(4)}@{DOMAIN}",
        password=None,  # unusable: it never signs in
        name=name,
        is_staff=organization is None,
        is_service_account=True,
    )
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.MEMBER)
    logger.info(
        "Service account created: %s (%r) for %s by %s",
        user.email,
        name,
        organization or "the practice",
        by.email,
    )
    return user


def service_account_deactivate(*, account: User, by: User) -> User:
    """Turn the account off: every token of it stops working at once (a token works only for
    an active user). Its tokens and history stay."""
    _operators_only(by)
    if not account.is_service_account:
        raise ValidationError("Only service accounts are deactivated here.")
    if User.objects.filter(pk=account.pk, is_active=True).update(is_active=False):
        logger.info("Service account deactivated: %s by %s", account.email, by.email)
    account.is_active = False
    return account
