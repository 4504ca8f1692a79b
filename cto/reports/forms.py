"""The reports card's form: the kind of report to generate (week-one when none is posted)."""

from __future__ import annotations

from django import forms

from cto.reports.models import Report


class ReportRequestForm(forms.Form):
    kind = forms.TypedChoiceField(
        label="",
        choices=Report.Kind.choices,
        coerce=Report.Kind,
        required=False,
        empty_value=Report.Kind.WEEK_ONE,
        error_messages={"invalid_choice": "There is no report of the kind you chose."},
    )
