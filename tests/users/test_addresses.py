"""cto/users/addresses.py: the one email normalisation, and the places that must use it."""

from __future__ import annotations

import pytest

from cto.users.adapters import AccountAdapter
from cto.users.addresses import normalize_email
from cto.users.models import User


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Pat@Acme.Example", "pat@acme.example"),
        ("  pat@acme.example\n", "pat@acme.example"),
        ("pat@\uff41\uff43\uff4d\uff45.example", "pat@acme.example"),  # full-width letters
        ("stra\u00dfe@acme.example", "stra\u00dfe@acme.example"),  # ß is kept: not casefold
        ("", ""),
    ],
)
def test_normalize_email(typed: str, stored: str) -> None:
    assert normalize_email(typed) == stored


def test_allauths_forms_clean_addresses_the_same_way() -> None:
    assert AccountAdapter().clean_email(" PAT@\uff21cme.example ") == "pat@acme.example"


def test_the_user_manager_stores_and_compares_the_same_way(db: None) -> None:
    user = User.objects.create_user(email="Pat@\uff21cme.Example")
    assert user.email == "pat@acme.example"
    assert User.objects.normalize_email(" PAT@ACME.example") == user.email
