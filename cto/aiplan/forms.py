"""The AI plan's forms: each POST of the plan page read into typed values (ids into rows of
this plan only), so that the services never see request strings. Each form's fields are its
service's keyword arguments (``ServiceForm``)."""

from __future__ import annotations

from typing import Any

from django import forms

from cto.aiplan.models import AIPlan, Candidate, Criterion, EvalGate, FailureMode, PlanComment
from cto.core.forms import ServiceForm, version_field

WEIGHT_MESSAGE = "A weight is a whole number from 0 to 100."
SCORE_MESSAGE = "A score is a whole number from 1 to 5."
URL_MESSAGE = "Links must be web addresses starting with https://."


def _weight(*, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label="",
        required=required,
        min_value=0,
        max_value=100,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), WEIGHT_MESSAGE
        ),
    )


def _number(label: str, *, required: bool) -> forms.DecimalField:
    """As stored: DecimalField(max_digits=14, decimal_places=4); NaN and Infinity are refused
    by Django's field, 1e999 and 20 digits by max_digits."""
    too_big = f"{label} must be a reasonable number (at most ten digits before the point)."
    return forms.DecimalField(
        label="",
        required=required,
        max_digits=14,
        decimal_places=4,
        error_messages={
            "required": f"Please give {label.lower()}.",
            "invalid": f"{label} must be a number, like 0.95 or 820.",
            "max_digits": too_big,
            "max_whole_digits": too_big,
            "max_decimal_places": f"{label} may have at most four decimal places.",
        },
    )


def _url() -> forms.URLField:
    return forms.URLField(
        label="",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": URL_MESSAGE, "max_length": URL_MESSAGE},
    )


class WeightForm(ServiceForm):
    weight = _weight(required=True)
    version = version_field()


class CriterionForm(ServiceForm):
    label = forms.CharField(label="The criterion's name", max_length=120)
    weight = _weight(required=False)
    direction = forms.ChoiceField(
        choices=[("higher", "Higher is better"), ("lower", "Lower is better")], required=False
    )

    def clean_weight(self) -> int:
        return self.cleaned_data["weight"] or 0  # the form's default when left empty

    def arguments(self) -> dict[str, Any]:
        arguments = super().arguments()
        arguments["higher_is_better"] = arguments.pop("direction") != "lower"
        return arguments


class CandidateForm(ServiceForm):
    name = forms.CharField(label="The model or vendor's name", max_length=120)
    provider = forms.CharField(label="The provider", max_length=120, required=False)
    snapshot = forms.CharField(label="The version", max_length=120, required=False)


class _OfPlan(ServiceForm):
    """A form whose ids name rows of one plan: another plan's row is no choice at all."""

    def __init__(self, *args: Any, plan: AIPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan


class CellScoreForm(_OfPlan):
    candidate = forms.ModelChoiceField(queryset=Candidate.objects.none(), label="Candidate")
    criterion = forms.ModelChoiceField(queryset=Criterion.objects.none(), label="Criterion")
    score = forms.IntegerField(
        label="",
        min_value=1,
        max_value=5,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), SCORE_MESSAGE
        ),
    )
    measured_value = _number("The measured value", required=False)
    unit = forms.CharField(label="The unit", max_length=40, required=False)
    source_url = _url()
    version = version_field()

    def __init__(self, *args: Any, plan: AIPlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["candidate"].queryset = plan.candidates.all()  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["criterion"].queryset = plan.criteria.all()  # type: ignore[attr-defined]  # a ModelChoiceField


class ChoiceForm(_OfPlan):
    chosen = forms.ModelChoiceField(
        queryset=Candidate.objects.none(),
        label="",
        error_messages={
            "required": "Please choose a candidate.",
            "invalid_choice": "That candidate is not part of this plan.",
        },
    )
    fallback = forms.ModelChoiceField(
        queryset=Candidate.objects.none(),
        label="",
        required=False,
        error_messages={"invalid_choice": "That candidate is not part of this plan."},
    )
    rationale = forms.CharField(label="The reasons for this choice", max_length=4000)
    version = version_field()

    def __init__(self, *args: Any, plan: AIPlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        for name in ("chosen", "fallback"):
            self.fields[name].queryset = plan.candidates.all()  # type: ignore[attr-defined]  # a ModelChoiceField


class GateResultForm(ServiceForm):
    value = _number("The result", required=True)
    at = forms.DateField(
        label="",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "The date must look like 2026-11-24."},
    )
    run_url = _url()
    note = forms.CharField(
        label="",
        required=False,
        max_length=2000,
        strip=True,
        error_messages={"max_length": "Please keep the note under 2000 characters."},
    )
    version = version_field()


class FailureModeStatusForm(ServiceForm):
    status = forms.TypedChoiceField(
        label="",
        choices=FailureMode.Status.choices,
        coerce=FailureMode.Status,
        error_messages={
            "required": "Choose open, mitigated or accepted.",
            "invalid_choice": "Choose open, mitigated or accepted.",
        },
    )
    reason = forms.CharField(label="The reason", max_length=2000, required=False)
    version = version_field()


ROW_MODELS: dict[str, type[Candidate | EvalGate | FailureMode]] = {
    PlanComment.Row.CANDIDATE: Candidate,
    PlanComment.Row.GATE: EvalGate,
    PlanComment.Row.FAILURE_MODE: FailureMode,
}
ROW_MESSAGE = "That row is not part of this plan."


class CommentForm(_OfPlan):
    """``row`` is "plan:" or "<kind>:<id>" of a row of this plan; ``cleaned_data["row"]`` is
    that row, or None for the plan as a whole."""

    row = forms.CharField(label="", required=False, max_length=40)
    text = forms.CharField(label="A comment", max_length=2000)

    def clean_row(self) -> Candidate | EvalGate | FailureMode | None:
        kind, _, raw_id = (self.cleaned_data["row"] or "plan:").partition(":")
        if kind == PlanComment.Row.PLAN:
            return None
        model = ROW_MODELS.get(kind)
        if model is None:
            raise forms.ValidationError("That is not something one can comment on.")
        # The same parsing as any id field (no hand-rolled digit checks): a malformed or foreign
        # id is no choice.
        field = forms.ModelChoiceField(
            queryset=model.objects.filter(plan=self.plan),
            error_messages={"invalid_choice": ROW_MESSAGE, "required": ROW_MESSAGE},
        )
        return field.clean(raw_id)


LOOK_FIRST_MESSAGE = "Say where to look first."
SCALE_MESSAGE = "Likelihood and impact are whole numbers from 1 to 5."


class FailureModeProposalForm(ServiceForm):
    title = forms.CharField(label="The failure, in a few words", max_length=200)
    look_first = forms.ChoiceField(
        label="Where to look first",
        choices=FailureMode.LOOK_FIRST_CHOICES,
        error_messages={"required": LOOK_FIRST_MESSAGE, "invalid_choice": LOOK_FIRST_MESSAGE},
    )
    evidence = forms.CharField(
        label="What was seen",
        max_length=4000,
        help_text="The input, what came out, and where: enough for someone to see it again.",
    )


def _scale(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        error_messages={"required": SCALE_MESSAGE, "invalid_choice": SCALE_MESSAGE},
    )


class ProposalConfirmForm(ServiceForm):
    likelihood = _scale("Likelihood (1 to 5)")
    impact = _scale("Impact (1 to 5)")
    blocks_production = forms.BooleanField(label="Blocks production", required=False)
    owner = forms.CharField(label="Owner", max_length=120, required=False)
    version = version_field()


class ProposalDismissForm(ServiceForm):
    reason = forms.CharField(label="Why it is dismissed", max_length=2000)
    version = version_field()
