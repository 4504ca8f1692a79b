from __future__ import annotations

import pytest
from django.db import IntegrityError

from cto.users.models import User
from cto.users.selectors import organizations_for
from cto.users.services import membership_ensure, organization_get_or_create, user_get_or_create

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


def test_get_or_create_finds_users_and_organisations_case_insensitively() -> None:
    user, created = user_get_or_create(email="Mixed@Case.example", name="Mixed")
    assert created
    assert user_get_or_create(email="mixed@case.EXAMPLE") == (user, False)
    org, created = organization_get_or_create(name="  Acme   Robotics ")
    assert (org.name, created) == ("Acme Robotics", True)
    assert organization_get_or_create(name="acme robotics") == (org, False)


def test_organizations_for_is_scoped_to_memberships(operator: User) -> None:
    member, _ = user_get_or_create(email="member@acme.example")
    mine, _ = organization_get_or_create(name="Mine")
    organization_get_or_create(name="Theirs")
    membership_ensure(organization=mine, user=member)
    assert list(organizations_for(user=member)) == [mine]
    assert organizations_for(user=operator).count() == 2
