from __future__ import annotations

from django import forms
from django.conf import settings

from cto.api.models import ApiToken
from cto.users.models import Organization

# The lifetimes a person picks from; API_TOKEN_DAYS (the default) is always among them.
LIFETIMES = (7, 30, 90, 180, 365)


def _lifetime_choices() -> list[tuple[int, str]]:
    days = sorted({*LIFETIMES, settings.API_TOKEN_DAYS} - {0})
    return [(n, f"{n} days") for n in days if n <= settings.API_TOKEN_MAX_DAYS]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        strip=True,
        help_text="What it is for, such as “CI deploy” or “Ada's agent”.",
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text="A read token cannot change anything.",
    )
    days = forms.TypedChoiceField(label="Expires in", coerce=int, choices=())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        field = self.fields["days"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101  # narrows for mypy
        field.choices = _lifetime_choices()
        field.initial = settings.API_TOKEN_DAYS


class ServiceAccountForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        strip=True,
        help_text="What acts through it, such as “Acme CI” or “Practice eval runner”.",
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label="The practice: sees what an operator sees",
        label="Acts for",
        error_messages={"invalid_choice": "Choose an organisation from the list."},
    )
