"""The reports' forms: the card's request (the kind of report, and whether it is a draft for
review or final, for the client), and the operator's text with its next steps."""

from __future__ import annotations

from django import forms

from cto.core.forms import first_error, version_field
from cto.reports import markup
from cto.reports.models import REQUESTABLE_RELEASES, Report
from cto.reports.narratives import STEPS_MAX, TEXT_MAX, NextStep


class ReportRequestForm(forms.Form):
    kind = forms.TypedChoiceField(
        label="",
        choices=Report.Kind.choices,
        coerce=Report.Kind,
        required=False,
        empty_value=Report.Kind.WEEK_ONE,
        error_messages={"invalid_choice": "There is no report of the kind you chose."},
    )
    # A draft when none is posted: nothing reaches the client unless an operator says so.
    release = forms.TypedChoiceField(
        label="",
        choices=REQUESTABLE_RELEASES,
        coerce=Report.Release,
        required=False,
        empty_value=Report.Release.DRAFT,
        error_messages={"invalid_choice": "A version is either a draft for review or final."},
    )


NARRATIVE_PARTS = ("summary", "findings", "risks")


def _text(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        strip=True,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class NarrativeForm(forms.Form):
    """The three parts of the practice's text; blank parts are left out of the report."""

    summary = _text(
        "Executive summary",
        "What we found, what we recommend, and what it costs to wait. A final version needs it.",
    )
    findings = _text("Key findings", "What the evidence shows, most important first.")
    risks = _text("The risks", "What can go wrong, how likely, and what it would cost.")
    version = version_field()

    def previews(self) -> dict[str, str]:
        """Each part as the report will show it (sanitised HTML), for the preview."""
        return {name: markup.to_html(self.cleaned_data[name]) for name in NARRATIVE_PARTS}


class NextStepForm(forms.Form):
    action = forms.CharField(label="Step", max_length=300)
    owner = forms.CharField(
        label="Owner",
        max_length=120,
        help_text="A person or a team.",
        widget=forms.TextInput(attrs={"list": "narrative-owners"}),
    )
    due = forms.DateField(
        label="By",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )


class BaseNextStepFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, object]:
        # Every row may be left blank, the saved ones too: blanking a step's three fields
        # drops it, as ticking "Remove" does, instead of asking for what was just cleared.
        return {"empty_permitted": True}


NextStepFormSet = forms.formset_factory(
    NextStepForm,
    formset=BaseNextStepFormSet,
    extra=2,
    can_delete=True,
    max_num=STEPS_MAX,
    validate_max=True,
    absolute_max=STEPS_MAX * 2,
)


def next_steps_of(formset: forms.BaseFormSet) -> list[NextStep]:
    """The steps of a valid formset, in the order shown; blank and deleted rows left out."""
    return [
        NextStep(action=row["action"], owner=row["owner"], due=row["due"])
        for row in formset.cleaned_data
        if row and not row.get("DELETE")
    ]


def formset_error(formset: forms.BaseFormSet) -> str:
    """The first message of an invalid formset, saying which step it is about."""
    for message in formset.non_form_errors():
        return str(message)
    for number, form in enumerate(formset.forms, start=1):
        if form.errors:
            return f"Next step {number}: {first_error(form)}"
    return ""
