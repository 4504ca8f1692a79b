"""Pricing's forms: the client's signature, an operator's line item and a new quote's tiers,
read into typed values (options of this quote only, money as Decimal within what the columns
hold) before any service sees them. The fields of the line and new-quote forms are their
services' keyword arguments (``ServiceForm``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from cto.core.forms import ServiceForm
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.pricing.services import Signature

OPTION_MESSAGE = "Please choose one of the options."


def _option_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=QuoteOption.objects.none(),
        label="",
        error_messages={"required": OPTION_MESSAGE, "invalid_choice": OPTION_MESSAGE},
    )


class _OfQuote(ServiceForm):
    option = _option_field()

    def __init__(self, *args: Any, quote: Quote, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = quote.options.all()  # type: ignore[attr-defined]  # a ModelChoiceField


class AcceptForm(_OfQuote):
    """The signature: whether the terms were agreed and whether the name is one are the
    service's rules (they hold for every caller); this reads the values."""

    full_name = forms.CharField(label="Your full name", max_length=200, required=False)
    agree = forms.ChoiceField(choices=[("yes", "I agree")], required=False, label="The terms")

    def signature(self, *, ip: str | None, user_agent: str) -> Signature:
        """The signature as the service takes it, with where it was signed from."""
        return Signature(
            option=self.cleaned_data["option"],
            full_name=self.cleaned_data["full_name"],
            agreed_to_terms=self.cleaned_data["agree"] == "yes",
            ip=ip,
            user_agent=user_agent,
        )


# A line's value goes to QuoteLine.amount (max_digits=12, decimal_places=2) or, for multipliers
# and discounts, QuoteLine.factor (max_digits=8, decimal_places=4).
AMOUNT_LIMIT = Decimal("1e10")
FACTOR_LIMIT = Decimal("1e4")
VALUE_MESSAGE = "The amount must be a number, like 1500 or -250."


class LineForm(_OfQuote):
    label = forms.CharField(label="The line's label", max_length=160)
    kind = forms.ChoiceField(choices=QuoteLine.Kind.choices, required=False, label="The kind")
    period = forms.ChoiceField(choices=QuoteLine.Period.choices, required=False, label="The period")
    value = forms.DecimalField(
        label="",
        max_digits=14,
        decimal_places=4,
        error_messages={
            "required": VALUE_MESSAGE,
            "invalid": VALUE_MESSAGE,
            "max_digits": "The amount is too large for a quote.",
            "max_whole_digits": "The amount is too large for a quote.",
            "max_decimal_places": "Use at most two decimal places for money, four for a factor.",
        },
    )
    reason = forms.CharField(label="The reason", max_length=1000, required=False)

    def clean_kind(self) -> QuoteLine.Kind:
        return QuoteLine.Kind(self.cleaned_data["kind"] or QuoteLine.Kind.AMOUNT)

    def clean_period(self) -> QuoteLine.Period:
        return QuoteLine.Period(self.cleaned_data["period"] or QuoteLine.Period.MONTHLY)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, kind = data.get("value"), data.get("kind")
        if value is None or kind is None:
            return data
        if kind == QuoteLine.Kind.AMOUNT:
            if value != value.quantize(Decimal("0.01")):
                self.add_error("value", "Money has at most two decimal places, like 1500.50.")
            elif abs(value) >= AMOUNT_LIMIT:
                self.add_error("value", "The amount is too large for a quote.")
        elif abs(value) >= FACTOR_LIMIT:
            self.add_error("value", "A multiplier or discount is under 10000, like 1.15 or 10.")
        return data


class QuoteNewForm(ServiceForm):
    """The tiers to offer, by key; how many, and that they share a currency, are the
    service's rules."""

    tier = forms.MultipleChoiceField(
        choices=[],
        label="",
        error_messages={
            "required": "A quote offers one to three options.",
            "invalid_choice": "Choose active tiers, each once.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = PricingTier.objects.filter(active=True).values_list("key", "name")
        self.fields["tier"].choices = list(active)  # type: ignore[attr-defined]  # a MultipleChoiceField

    def arguments(self) -> dict[str, Any]:
        return {"tier_keys": self.cleaned_data["tier"]}  # posted as "tier", once per tier


class LinesField(forms.CharField):
    """A list of short texts edited one a line: a comma inside an item stays inside it (the
    admin's raw JSON box made operators write brackets and quotes, and invited a split on
    commas)."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(str(item) for item in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list, not a str
        text = super().to_python(value)
        return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PricingTierAdminForm(forms.ModelForm):
    includes = LinesField(
        required=False, help_text="One item a line, in the order the pricing page lists them."
    )

    class Meta:
        model = PricingTier
        fields = [
            "key",
            "name",
            "kind",
            "currency",
            "monthly_retainer",
            "days_per_week",
            "week_one_fee",
            "minimum_term_months",
            "includes",
            "active",
            "order",
        ]
