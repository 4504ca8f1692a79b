"""What the forms at the edge share: the one message a refused form shows beside the field or
card that sent it, the field carrying the version a page was drawn at, and the step every
in-place change takes (read the form, run the service, say how it went)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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


class ServiceForm(forms.Form):
    """A form whose fields are the keyword arguments of the one service it feeds, so that a view
    passes them on whole (``service(**form.arguments(), by=...)``) instead of copying each
    field across. The hidden ``version`` every page posts is the service's
    ``expected_version``; a form whose posted names differ from the service's says so by
    overriding ``arguments``."""

    def arguments(self) -> dict[str, Any]:
        arguments = dict(self.cleaned_data)
        if "version" in arguments:
            arguments["expected_version"] = arguments.pop("version")
        return arguments


def change_with_form(
    form: ServiceForm,
    change: Callable[..., object],
    *,
    stale: type[ValidationError],
    refused: type[ValidationError],
) -> tuple[int, str]:
    """Run ``change`` with the form's typed values as keyword arguments. Returns the status and
    message of the answer: (200, "") when done; (422, the message) when the form or the service
    refused, and nothing was written; (409, the message) when the page was out of date
    (``stale``, caught before ``refused``, which it may subclass)."""
    if not form.is_valid():
        return 422, first_error(form)
    try:
        change(**form.arguments())
    except stale as error:
        return 409, " ".join(error.messages)
    except refused as error:
        return 422, " ".join(error.messages)
    return 200, ""
