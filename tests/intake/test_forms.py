"""The intake's forms: hostile and mistaken input becomes a message, never an exception."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from cto.core.forms import first_error
from cto.intake.forms import AnswerForm, ContactForm, ResumeEmailForm
from tests.intake.test_views import CONTACT  # the contact details the view tests post


def test_a_contact_is_read_into_typed_values_with_runs_of_spaces_made_one() -> None:
    form = ContactForm({**CONTACT, "name": "  Pat \t Lee ", "company": "Acme\n Robotics"})
    assert form.is_valid(), form.errors
    contact = form.contact()
    assert (contact.name, contact.company, contact.consent) == ("Pat Lee", "Acme Robotics", True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "valid work email"),
        ("email", "", "valid work email"),
        ("email", "pat@acme.example\x00", "valid work email"),
        ("name", "  ", "give your name"),
        ("name", "\x00\x00", "Null characters"),
        ("company", "", "give your company"),
        ("company", "\x00", "Null characters"),
        ("consent", "", "Please agree"),
        ("role", "x" * 201, "under 200 characters"),
    ],
)
def test_bad_contact_details_are_refused_with_a_message(
    field: str, value: str, message: str
) -> None:
    form = ContactForm({**CONTACT, field: value})
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_an_invalid_contact_field_is_pointed_at_its_message() -> None:
    form = ContactForm({**CONTACT, "email": "pat@"})
    assert not form.is_valid()
    html = str(form["email"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="error-email"' in html


@pytest.mark.parametrize("version", ["²", "1.5", "not-a-number", "1e3"])
def test_a_tampered_tree_version_is_a_message(version: str) -> None:
    form = AnswerForm({"tree_version": version, "text": "x"})
    assert not form.is_valid()
    assert "another version of the questionnaire" in first_error(form)


def test_an_answer_is_read_as_the_choices_ticked_and_the_text_typed() -> None:
    # A QueryDict is what a request carries: several values under one name.
    data = QueryDict(mutable=True)
    data.setlist("choice", ["a", "b"])
    data.update({"tree_version": "7", "text": " hi "})
    form = AnswerForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tree_version"] == 7
    assert form.raw_answer() == {"choices": ["a", "b"], "text": " hi "}


def test_a_nul_byte_in_a_text_answer_is_a_message() -> None:
    form = AnswerForm({"tree_version": "7", "text": "a\x00b"})
    assert not form.is_valid()
    assert "Null characters" in first_error(form)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nope", "valid email"),
        ("", "valid email"),
        # validate_email lets 320 characters through, the column holds 254.
        (f"{'x' * 64}@{'d' * 63}.{'d' * 63}.{'d' * 62}.example", "at most 254 characters"),
    ],
)
def test_a_bad_resume_email_is_refused_with_a_message(email: str, message: str) -> None:
    form = ResumeEmailForm({"email": email, "next_node": "building"})
    assert not form.is_valid()
    assert message in form.errors["email"][0]
