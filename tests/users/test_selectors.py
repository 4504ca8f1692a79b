"""cto/users/selectors.py on PostgreSQL: which organisations a user may see."""

from __future__ import annotations

import pytest

from cto.users.models import User
from cto.users.selectors import organizations_for
from cto.users.services import membership_ensure, organization_get_or_create, user_get_or_create

pytestmark = pytest.mark.django_db


def test_organizations_for_is_scoped_to_memberships(operator: User) -> None:
    member, _ = user_get_or_create(email="member@acme.example")
    mine, _ = organization_get_or_create(name="Mine")
    organization_get_or_create(name="Theirs")
    membership_ensure(organization=mine, user=member)
    assert list(organizations_for(user=member)) == [mine]
    assert organizations_for(user=operator).count() == 2
