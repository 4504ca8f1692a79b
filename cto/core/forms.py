"""What the forms at the edge share: the one message a refused form shows beside the field or
card that sent it, and the field carrying the version a page was drawn at."""

from __future__ import annotations

from django import forms

# A version is a PositiveIntegerField: anything past its range was never drawn on a page.
VERSION_MAX = 2**31 - 1
STALE_PAGE = "This page is out of date; reload it and make your change again."


def first_error(form: forms.BaseForm) -> str:
    """The first message of a bound, invalid form, after the label of its field (Django's own
    messages, "Enter a whole number.", do not say which field): the views show one line beside
    the card or field that sent it, not a list. A field labelled "" speaks for itself."""
    for name, errors in form.errors.items():
        if not errors:
            continue
        label = form[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""


def version_field() -> forms.IntegerField:
    """The version the page showed; empty means the page showed none (nothing to compare).
    Anything that is not one is a page that was never drawn: refused, never taken as "none"."""
    return forms.IntegerField(
        label="",
        required=False,
        min_value=1,
        max_value=VERSION_MAX,
        widget=forms.HiddenInput,
        error_messages={"invalid": STALE_PAGE, "min_value": STALE_PAGE, "max_value": STALE_PAGE},
    )
