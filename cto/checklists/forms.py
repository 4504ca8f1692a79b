"""The checklist's forms: an item's status, evidence, owner, drop, and a new item, read into
typed values (dates as dates, owners as users who may own the item) before the services. Each
form's fields are its service's keyword arguments (``ServiceForm``)."""

from __future__ import annotations

from typing import Any

from django import forms

from cto.checklists import selectors
from cto.checklists.models import Checklist, ChecklistItem
from cto.core.forms import ServiceForm, version_field
from cto.users.models import User

DATE_MESSAGE = "The effective date must look like 2026-11-24."
DUE_DAY_MESSAGE = "The due day is 1 to 5."


class ItemStatusForm(ServiceForm):
    status = forms.TypedChoiceField(
        label="",
        choices=ChecklistItem.Status.choices,
        coerce=ChecklistItem.Status,
        error_messages={
            "required": "That is not a status.",
            "invalid_choice": "That is not a status.",
        },
    )
    reason = forms.CharField(label="The reason", max_length=2000, required=False)
    effective_date = forms.DateField(
        label="",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_MESSAGE},
    )
    version = version_field()


class EvidenceForm(ServiceForm):
    """Which of link, note or file is needed, and the file's type and size, are the service's
    rules; this reads the fields."""

    url = forms.URLField(
        label="",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "A link must be a web address starting with https://.",
            "max_length": "Please keep the link under 500 characters.",
        },
    )
    note = forms.CharField(label="The note", max_length=4000, required=False)
    file = forms.FileField(required=False, allow_empty_file=True, label="The file")

    def arguments(self) -> dict[str, Any]:
        arguments = super().arguments()
        arguments["upload"] = arguments.pop("file")  # posted as "file"
        return arguments


class ItemOwnerForm(ServiceForm):
    """Empty means nobody; anyone else is someone who may own the checklist's items."""

    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="",
        error_messages={
            "invalid_choice": (
                "The owner must be an operator or a member of the client's organisation."
            )
        },
    )
    version = version_field()

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.owner_candidates(checklist=checklist)  # type: ignore[attr-defined]  # a ModelChoiceField


class ItemDropForm(ServiceForm):
    reason = forms.CharField(
        label="The reason",
        max_length=2000,
        error_messages={"required": "Please give a reason for dropping the item."},
    )
    version = version_field()


class ItemAddForm(ServiceForm):
    section = forms.CharField(label="The section", max_length=120, required=False)
    title = forms.CharField(
        label="The title",
        max_length=200,
        error_messages={"required": "An item needs a title and what counts as done."},
    )
    done_when = forms.CharField(
        label="What counts as done",
        max_length=2000,
        error_messages={"required": "An item needs a title and what counts as done."},
    )
    owner_side = forms.TypedChoiceField(
        label="",
        choices=ChecklistItem.Side.choices,
        coerce=ChecklistItem.Side,
        error_messages={
            "required": "Choose whose side does it: practice or client.",
            "invalid_choice": "Choose whose side does it: practice or client.",
        },
    )
    due_day = forms.IntegerField(
        label="",
        min_value=1,
        max_value=5,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), DUE_DAY_MESSAGE
        ),
    )
