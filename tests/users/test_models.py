"""cto/users/models.py on PostgreSQL: users by email, one open invitation per address, signed
invitation tokens."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cto.users.models import Invitation, Organization, User
from tests.users.conftest import NEWCOMER
from tests.users.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_users_have_no_username_and_log_in_with_email() -> None:
    user = User.objects.create_user(email="Ada@Example.COM", password="s3cret-pass-phrase")
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(user, "username") or user.username is None
    assert user.email == "ada@example.com"
    assert user.check_password("s3cret-pass-phrase")


def test_a_user_without_a_password_cannot_use_one() -> None:
    user = User.objects.create_user(email="code-only@example.com")
    assert not user.has_usable_password()


def test_email_is_unique_whatever_its_case() -> None:
    User.objects.create_user(email="same@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAME@example.com")


def test_superuser_is_a_staff_operator() -> None:
    admin = User.objects.create_superuser(email="root@practice.example", password="x-long-pass")
    assert (admin.is_staff, admin.is_superuser, admin.is_operator) == (True, True, True)


def test_the_database_keeps_one_open_invitation_per_address(organization: Organization) -> None:
    InvitationFactory(organization=organization, email=NEWCOMER)
    InvitationFactory(organization=organization, email=NEWCOMER, revoked_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organization=organization, email=NEWCOMER)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organization=organization, email="Mixed@Case.example")


def test_a_forged_or_mangled_token_names_no_invitation(organization: Organization) -> None:
    invitation = InvitationFactory(organization=organization)
    assert Invitation.objects.from_token(invitation.token) == invitation
    payload, signature = invitation.token.rsplit(".", 1)
    assert Invitation.objects.from_token(f"{payload}.{signature[::-1]}") is None
    assert Invitation.objects.from_token(invitation.token[:-1]) is None
    assert Invitation.objects.from_token("not-a-token") is None
    other = InvitationFactory(organization=organization)
    Invitation.objects.filter(pk=other.pk).update(nonce="changed")  # signed, but not this row's
    assert Invitation.objects.from_token(other.token) is None
