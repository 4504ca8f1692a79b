"""Writes read their input as the pages do: the body, typed by its schema, goes through the
page's own Django form (the same fields, limits and messages), then to the page's service. A
refused form or service is a 422 problem document; nothing is written."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cto.api.v1.problems import ApiProblem

INVALID = "The request has invalid values: see errors."


def form_checked(form: forms.BaseForm, *, where: str = "body") -> forms.BaseForm:
    """``form``, valid; else a 422 naming each refused field (``body.status``, ...)."""
    if not form.is_valid():
        raise ApiProblem(
            422,
            INVALID,
            errors=[
                {
                    "field": where if name == NON_FIELD_ERRORS else f"{where}.{name}",
                    "detail": str(errors[0]),
                }
                for name, errors in form.errors.items()
                if errors
            ],
        )
    return form


def refused(error: ValidationError) -> ApiProblem:
    """A service's refusal, with its message for the person (or agent) acting."""
    return ApiProblem(422, " ".join(error.messages))
