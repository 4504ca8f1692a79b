"""The dashboard's quick actions read by forms: the stage to move an engagement to, and the
version its card showed. Whether the move is allowed is the engagement service's rule."""

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
