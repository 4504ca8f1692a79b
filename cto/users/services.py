"""Writes to users, organisations and memberships."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from cto.users.models import Membership, Organization, User


def user_get_or_create(
    *, email: str, name: str = "", password: str | None = None, is_staff: bool = False
) -> tuple[User, bool]:
    """Find the user by email (case-insensitively) or create one; without a password the
    user signs in by an emailed code."""
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    user = User.objects.create_user(email=email, password=password, name=name, is_staff=is_staff)
    return user, True


def user_mark_email_verified(*, user: User) -> None:
    """Record the user's address as verified and primary, so a password login is not held
    back for verification (used for people whose address we already know is theirs)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def organization_get_or_create(*, name: str, website: str = "") -> tuple[Organization, bool]:
    """Find the organisation by name (case-insensitively) or create it."""
    name = " ".join(name.split())
    existing = Organization.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing, False
    return Organization.objects.create(name=name, website=website), True


def membership_ensure(
    *, organization: Organization, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make ``user`` a member of ``organization`` with ``role`` (idempotent)."""
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership
