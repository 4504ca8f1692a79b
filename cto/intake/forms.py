"""The intake's forms: what a prospect posts, parsed into the typed values the services take.

Whether an answer fits its question is the tree's to say (``tree.clean_answer``, called by
``services.intake_answer``): these forms only read the request.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from cto.intake import first_call, services
from cto.intake.models import IntakeResponse

CONTACT_MAX_LENGTH = IntakeResponse._meta.get_field("contact_name").max_length or 200
RESUME_EMAIL_MAX_LENGTH = IntakeResponse._meta.get_field("resume_email").max_length or 254

_TOO_LONG = f"Please keep this under {CONTACT_MAX_LENGTH} characters."
_BAD_EMAIL = "Please give a valid work email address, like name@company.com."


class ChoiceIdsField(forms.Field):
    """Every value posted under the field's name (checkboxes and radios named alike), as
    strings; which ids the question knows is the tree's check."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(item) for item in value or []]


class AnswerForm(forms.Form):
    # Labelled "": each message names what it is about (cto.core.forms.first_error).
    tree_version = forms.IntegerField(
        label="",
        required=False,
        error_messages={
            "invalid": "This page belongs to another version of the questionnaire. "
            "Please load it again."
        },
    )
    choice = ChoiceIdsField(label="", required=False)
    text = forms.CharField(label="", required=False, strip=False)

    def raw_answer(self) -> dict[str, Any]:
        """The answer as ``tree.clean_answer`` reads it."""
        return {"choices": self.cleaned_data["choice"], "text": self.cleaned_data["text"]}


class _DescribedErrors(forms.Form):
    """Points each invalid input at its message (``error-<name>``), for screen readers."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"error-{name}"
        return valid


class ContactForm(_DescribedErrors):
    name = forms.CharField(
        label="Your name",
        max_length=CONTACT_MAX_LENGTH,
        error_messages={"required": "Please give your name.", "max_length": _TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Work email",
        max_length=CONTACT_MAX_LENGTH,
        error_messages={"required": _BAD_EMAIL, "invalid": _BAD_EMAIL, "max_length": _TOO_LONG},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label="Company",
        max_length=CONTACT_MAX_LENGTH,
        error_messages={"required": "Please give your company.", "max_length": _TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.CharField(
        label="Your role (optional)",
        required=False,
        max_length=CONTACT_MAX_LENGTH,
        error_messages={"max_length": _TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    consent = forms.BooleanField(
        error_messages={"required": "Please agree that we may contact you about your answers."}
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Runs of spaces, tabs and line breaks read as one space in a name.
        for field in ("name", "company", "role"):
            if field in cleaned:
                cleaned[field] = " ".join(cleaned[field].split())
        return cleaned

    def contact(self) -> services.Contact:
        data = self.cleaned_data
        return services.Contact(
            name=data["name"],
            email=data["email"],
            company=data["company"],
            role=data["role"],
            consent=data["consent"],
        )


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label="",
        max_length=RESUME_EMAIL_MAX_LENGTH,
        error_messages={
            "required": "Please give a valid email address, like name@company.com.",
            "invalid": "Please give a valid email address, like name@company.com.",
            "max_length": "Please give an email address of at most "
            f"{RESUME_EMAIL_MAX_LENGTH} characters.",
        },
    )
    # The question the prospect asked from, to return to; anything else returns to where
    # they are.
    next_node = forms.CharField(required=False, max_length=64)


class ProofForm(forms.Form):
    """The two buttons of the result email's link: it was me, or it was not."""

    CONFIRM = "confirm"
    DISMISS = "dismiss"

    action = forms.TypedChoiceField(
        choices=[(CONFIRM, "It was me"), (DISMISS, "It was not me")],
        error_messages={
            "required": "Please choose one of the two buttons.",
            "invalid_choice": "Please choose one of the two buttons.",
        },
    )


class CallSlotForm(forms.Form):
    """The first call's time, one of the slots proposed now. A page left open past the slots'
    day (or a forged value) is refused with a message, and the slots of now are shown."""

    slot = forms.ChoiceField(
        label="",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose a time for the call.",
            "invalid_choice": "That time is no longer offered. Please choose one of these.",
        },
    )

    def __init__(self, *args: Any, slots: list[first_call.Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.key: slot for slot in slots}
        field = cast(forms.ChoiceField, self.fields["slot"])  # declared above
        field.choices = [(slot.key, slot.label) for slot in slots]

    def chosen(self) -> first_call.Slot:
        return self.slots[self.cleaned_data["slot"]]
