"""The dashboard's forms: the quick action's stage to move an engagement to and the version its
card showed (whether the move is allowed is the engagement service's rule), and the search
box's text."""

from __future__ import annotations

from django import forms

from cto.core.forms import version_field
from cto.engagements.stages import Stage


class AdvanceForm(forms.Form):
    to = forms.TypedChoiceField(
        label="",
        choices=Stage.choices,
        coerce=Stage,
        error_messages={
            "required": "Choose the stage to move to.",
            "invalid_choice": "That is not a stage.",
        },
    )
    version = version_field()


# Longer than any name, email address or title anyone searches for.
SEARCH_MAX_LENGTH = 200


class SearchForm(forms.Form):
    # A CharField refuses NUL bytes (PostgreSQL cannot compare text with them) with a message.
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"max_length": f"Search for at most {SEARCH_MAX_LENGTH} characters."},
    )
