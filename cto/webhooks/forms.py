from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from cto.users.models import Organization
from cto.webhooks.services import event_types


class EndpointForm(forms.Form):
    """Register or change an endpoint. The organisation is asked only of clients (an
    operator's endpoints are practice-wide); ``active`` only when changing one."""

    url = forms.CharField(
        label="URL",
        max_length=2000,
        strip=True,
        help_text="An https:// address on the public internet that answers a POST with 2xx.",
    )
    description = forms.CharField(
        max_length=200, required=False, strip=True, help_text="What receives it, to recognise it."
    )
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of event."},
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        types = self.fields["event_types"]
        assert isinstance(types, forms.MultipleChoiceField)  # noqa: S101  # narrows for mypy
        types.choices = event_types()
        if not self.is_bound and "event_types" not in self.initial:
            self.initial["event_types"] = [value for value, _ in event_types()]
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=organizations,
                empty_label=None,
                label="Organisation",
                help_text="The endpoint is sent this organisation's engagements' events.",
            )
        if editing:
            self.fields["active"] = forms.BooleanField(
                required=False, label="On", help_text="Off: nothing is sent or queued for it."
            )
