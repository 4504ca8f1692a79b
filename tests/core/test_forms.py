"""What the forms share: one message from a refused form, the version a page showed, and
the step of an in-place change."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from cto.core.forms import (
    STALE_PAGE,
    VERSION_MAX,
    ServiceForm,
    change_with_form,
    first_error,
    version_field,
)


class Sample(ServiceForm):
    name = forms.CharField(label="The name", max_length=5)
    version = version_field()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("name") == "taken":
            raise forms.ValidationError("That name is taken.")
        return data


def test_a_field_message_comes_after_its_label() -> None:
    form = Sample({"name": "²" * 6})
    assert not form.is_valid()
    assert first_error(form).startswith("The name: Ensure this value has at most 5 characters")


def test_a_form_wide_message_stands_alone() -> None:
    form = Sample({"name": "taken"})
    assert not form.is_valid()
    assert first_error(form) == "That name is taken."


def test_a_valid_form_has_no_message() -> None:
    form = Sample({"name": "ok"})
    assert form.is_valid()
    assert first_error(form) == ""


@pytest.mark.parametrize(
    "version", ["²", "1.5", "abc", "0", "-1", str(VERSION_MAX + 1), "9" * 20, "\x00", "NaN"]
)
def test_a_version_no_page_showed_is_refused_as_stale(version: str) -> None:
    form = Sample({"name": "ok", "version": version})
    assert not form.is_valid()
    assert first_error(form) == STALE_PAGE


@pytest.mark.parametrize(("version", "expected"), [("", None), ("1", 1), ("42", 42)])
def test_a_version_is_read_as_a_number_or_none(version: str, expected: int | None) -> None:
    form = Sample({"name": "ok", "version": version})
    assert form.is_valid()
    assert form.cleaned_data["version"] == expected


class Refused(ValidationError):
    pass


class Stale(Refused):
    pass


def test_a_change_runs_only_with_a_valid_form_and_says_how_it_went() -> None:
    seen: list[dict[str, object]] = []

    def record(**arguments: object) -> None:
        seen.append(arguments)

    def answer(name: str, change=record) -> tuple[int, str]:  # type: ignore[no-untyped-def]
        return change_with_form(Sample({"name": name}), change, stale=Stale, refused=Refused)

    assert answer("toolong") == (
        422,
        "The name: Ensure this value has at most 5 characters (it has 7).",
    )
    assert seen == []
    assert answer("ok") == (200, "")
    # The fields are the service's keyword arguments; the posted version is expected_version.
    assert seen == [{"name": "ok", "expected_version": None}]

    def stale(**arguments: object) -> None:
        raise Stale("Someone changed it.")

    def refused(**arguments: object) -> None:
        raise Refused("Not like that.")

    assert answer("ok", stale) == (409, "Someone changed it.")
    assert answer("ok", refused) == (422, "Not like that.")
