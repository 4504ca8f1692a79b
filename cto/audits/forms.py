"""The audit's one form: an answer to one question, read into a level (None for not
applicable), a note and a link before the service sees it."""

from __future__ import annotations

from django import forms

from cto.audits.models import AuditAnswer
from cto.audits.services import NOTE_MAX_LENGTH
from cto.core.forms import version_field

LEVEL_MESSAGE = "Please choose a level from 0 to 4, or not applicable."
NOT_APPLICABLE = "na"


class AnswerForm(forms.Form):
    value = forms.ChoiceField(
        label="",
        choices=[(NOT_APPLICABLE, "Not applicable")] + [(str(n), str(n)) for n in range(5)],
        error_messages={"required": LEVEL_MESSAGE, "invalid_choice": LEVEL_MESSAGE},
    )
    note = forms.CharField(
        label="The note",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": f"Please keep the note under {NOTE_MAX_LENGTH} characters."},
    )
    evidence_url = forms.URLField(
        label="",
        required=False,
        max_length=AuditAnswer._meta.get_field("evidence_url").max_length,
        assume_scheme="https",
        error_messages={
            "invalid": (
                "The evidence link must be a web address starting with https:// or http://."
            ),
            "max_length": "The evidence link is too long (500 characters at most).",
        },
    )
    version = version_field()

    def clean_value(self) -> int | None:
        """The level, or None for not applicable."""
        value = self.cleaned_data["value"]
        return None if value == NOT_APPLICABLE else int(value)
