"""cto/intake/lookalikes.py: which known names and domains a lead's look like (no database)."""

from __future__ import annotations

import pytest

from cto.intake.lookalikes import Lookalike, find_lookalikes, looks_like


@pytest.mark.parametrize(
    ("typed", "existing"),
    [
        ("\u0391cme", "Acme"),  # Greek capital Alpha
        ("\u0430cme", "acme"),  # Cyrillic small a
        ("acrne.example", "acme.example"),  # "rn" for "m"
        ("g00gle.example", "google.example"),
    ],
)
def test_confusable_strings_look_alike(typed: str, existing: str) -> None:
    assert looks_like(typed, existing)


@pytest.mark.parametrize(
    ("typed", "existing"),
    [
        ("Acme", "Acme"),  # the same name is not a look-alike
        ("ACME", "acme"),  # nor the same in another case
        ("\uff21cme", "Acme"),  # nor the same in another Unicode form (full-width A)
        ("Acne", "Acme"),
        ("Globex", "Acme"),
        ("", "Acme"),
        ("a" * 300, "a" * 299),  # past the length compared
    ],
)
def test_other_strings_do_not(typed: str, existing: str) -> None:
    assert not looks_like(typed, existing)


def test_find_lookalikes_names_each_once_by_kind() -> None:
    found = find_lookalikes(
        company="\u0391cme",
        domain="acrne.example",
        names=["Acme", "Globex", "Acme"],
        domains=["acme.example", "globex.example"],
    )
    assert found == [
        Lookalike("company", "\u0391cme", "Acme"),
        Lookalike("domain", "acrne.example", "acme.example"),
    ]


@pytest.mark.parametrize(
    ("typed", "existing"),
    [
        ("Client Company 1", "Client Company 1O"),  # only an addition: not a look-alike
        ("Client Company 17", "Client Company 71"),
    ],
)
def test_names_that_share_a_long_start_are_compared_on_what_differs(
    typed: str, existing: str
) -> None:
    assert not looks_like(typed, existing)


def test_a_look_alike_after_a_long_shared_start_is_still_found() -> None:
    assert looks_like("Client Company 10", "Client Company 1O")  # zero for capital O
    assert looks_like("org5-abc.exarnple", "org5-abc.example")
