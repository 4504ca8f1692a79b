"""Forms at the edge of the engagement pages."""

from __future__ import annotations

from typing import Any

from django import forms

from cto.engagements.selectors import TimelineChoices, TimelineFilter

EVERY_KIND = "Every kind"
ANYONE = "Anyone"


class TimelineFilterForm(forms.Form):
    """The timeline's filter, read from the page's query string (a plain GET or htmx).

    Its choices are the kinds and actors found on the events the viewer may see, so a client
    can pick nothing the practice keeps to itself. A value not among them (an old link, a hand
    edited URL) is dropped with a message and the rest of the filter still applies: a filter
    narrows what is shown, and showing more is the safe answer to a value it cannot use."""

    kind = forms.ChoiceField(
        label="What happened",
        required=False,
        error_messages={
            "invalid_choice": "No event of that kind is on this timeline; every kind is shown."
        },
    )
    actor = forms.ChoiceField(
        label="Who",
        required=False,
        error_messages={
            "invalid_choice": "No one by that name is on this timeline; anyone's events are shown."
        },
    )
    # "Show the full timeline" (up to TIMELINE_LIMIT events): kept while the filter changes.
    timeline = forms.ChoiceField(
        required=False, choices=[("", ""), ("all", "all")], widget=forms.HiddenInput
    )

    def __init__(self, data: Any, *, choices: TimelineChoices) -> None:
        super().__init__(data)
        # The stubs type self.fields as Field; these two are the ChoiceFields declared above.
        self.fields["kind"].choices = [("", EVERY_KIND), *choices.kinds]  # type: ignore[attr-defined]
        self.fields["actor"].choices = [("", ANYONE), *choices.actors]  # type: ignore[attr-defined]

    def wanted(self) -> TimelineFilter:
        """What the valid fields ask for; an invalid field asks for nothing."""
        self.is_valid()
        cleaned = self.cleaned_data
        return TimelineFilter(
            kind=cleaned.get("kind", ""),
            actor=cleaned.get("actor", ""),
            full=cleaned.get("timeline") == "all",
        )
