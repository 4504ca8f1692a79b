"""One property per discovered form: the form as its page filled it in, with some fields
swapped for hostile values of their kind (as ``forms.mutated`` does for the public forms),
sent by the role that found it, now and then to the same action with another organisation's
ids or junk in its path. Whatever is sent: no exception, no 5xx, only rows that pass
``full_clean()``, no markup echoed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import DataObject

from cto.intake.models import IntakeResponse
from cto.users.models import User
from drills.fuzz import strategies as fuzz
from drills.fuzz.discovery import Found, Prepare
from drills.fuzz.forms import Draw, hypothesis_settings, mutated, take_over
from drills.fuzz.harness import Rows, Tally, Upload, Visitor, example
from drills.fuzz.pages import Field
from drills.fuzz.signed_in import PDF
from drills.fuzz.world import AI_PATH, World, answered_response

DATES = ("2026-02-30", "0000-01-01", "9999-12-31", "1-1-1", "2026-13-01", "+2026-01-01")
FILES: tuple[Upload, ...] = (
    ("evidence.pdf", PDF, "application/pdf"),
    ("../../etc/passwd.pdf", PDF, "application/pdf"),
    ("nul\x00.pdf", PDF, "application/pdf"),
    ("", b"", "application/octet-stream"),
    ("script.pdf", PDF.replace(b"<<>>", b"<</JavaScript (app.alert(1))>>"), "application/pdf"),
    ("notes.txt", b"plain text\x00\xff", "text/plain"),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 64, "application/zip"),
    ("x" * 300 + ".pdf", PDF, "application/pdf"),
)
Strategy = st.SearchStrategy[Any]


def roles(world: World) -> dict[str, Prepare]:
    """How each role's visitor is made: a prospect is a cookie, a client and an operator are
    signed in. The operator comes last: discovery sends its empty POSTs as the last role."""
    part_way, at_outcome = answered_response(2), answered_response(len(AI_PATH))
    sent = IntakeResponse.objects.get(token=world.tokens[-1])
    people = world.signed_in
    return {
        "anonymous": lambda visitor: None,
        "prospect": lambda visitor: take_over(visitor, part_way),
        "prospect at the outcome": lambda visitor: take_over(visitor, at_outcome),
        # Answers sent: the result page offers the first call's form (intake:call).
        "prospect who sent": lambda visitor: take_over(visitor, sent),
        "client": signed_in_as(people.client),
        "operator": signed_in_as(people.operator),
    }


def signed_in_as(user: User) -> Prepare:
    """One sign-in, whose session cookie every visitor of the role then carries: signing in
    anew per example would cost more than most examples. An example that signs out deletes
    the session inside its transaction, which is rolled back."""
    template = Client()
    template.force_login(user)
    cookie = template.cookies[settings.SESSION_COOKIE_NAME].value

    def prepare(visitor: Visitor) -> None:
        visitor.cookies[settings.SESSION_COOKIE_NAME] = cookie

    return prepare


def foreign_client(world: World) -> Prepare:
    return signed_in_as(world.signed_in.foreign_client)


def valid_value(field: Field) -> list[str]:
    """What a person would send: the page's own value, else a plausible one of its kind."""
    if field.kind in ("select", "radio"):
        chosen = field.value or [option for option in field.options if option][:1]
        return chosen[:1] if not field.multiple else chosen
    if field.kind == "checkbox":
        return field.value
    if field.value and any(field.value):
        return field.value[:1]
    return [
        {
            "email": "someone@client.example",
            "url": "https://docs.example/proof",
            "number": "3",
            "date": datetime.date.today().isoformat(),
            "textarea": "A note.",
        }.get(field.kind, "Fuzz")
    ]


def hostile_value(field: Field) -> Strategy:
    """Values of the field's kind that a tampered form or a careless client sends."""
    page = st.sampled_from(field.value or [""])
    kind = field.kind
    if kind in ("select", "radio", "checkbox"):
        options = st.sampled_from([*field.options, ""])
        one: Strategy = st.one_of(options, fuzz.ids, fuzz.numbers, fuzz.text())
        return st.lists(one, max_size=3) if field.multiple else one
    if kind == "hidden":
        return st.one_of(page, fuzz.ids, fuzz.numbers, fuzz.text(ordinary=page))
    if kind == "number":
        return st.one_of(fuzz.decimals, fuzz.numbers, fuzz.ids, fuzz.text())
    if kind == "email":
        return fuzz.email()
    if kind == "url":
        return fuzz.url()
    if kind == "date":
        return st.one_of(st.sampled_from(DATES), fuzz.numbers, fuzz.text())
    return st.one_of(fuzz.text(ordinary=page), fuzz.numbers, fuzz.url())


def fields_of(found: Found, draw: Draw) -> dict[str, Any]:
    fields = {name: field for name, field in found.form.fields.items() if field.kind != "file"}
    valid = {name: valid_value(field) for name, field in fields.items()}
    hostile: dict[str, Strategy] = {
        # A field left out is as likely from a tampered form as a field filled with junk.
        name: st.one_of(hostile_value(field), st.just([]))
        for name, field in fields.items()
    }
    return {**mutated(draw, valid, hostile), **draw(fuzz.form_extras())}


def files_of(found: Found, draw: Draw) -> dict[str, Upload] | None:
    if not found.form.multipart:
        return None
    names = [name for name, field in found.form.fields.items() if field.kind == "file"]
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    return {name: draw(st.sampled_from(FILES)) for name in chosen}


def run_found(
    found: Found,
    *,
    prepare: Prepare,
    tally: Tally,
    rows: Rows,
    examples: int,
    derandomize: bool = False,
) -> None:
    """Run the property of one discovered form; raises (an example) when it fails."""
    name = describe(found)

    @hypothesis_settings(examples, derandomize=derandomize)
    @given(data=st.data())
    def prop(data: DataObject) -> None:
        with example(tally, name, rows):
            visitor = Visitor(tally)
            prepare(visitor)
            fields = fields_of(found, data.draw)
            htmx = found.form.htmx and data.draw(st.booleans())
            files = files_of(found, data.draw)
            action = found.form.action
            if found.elsewhere and data.draw(st.integers(0, 9)) == 0:
                action = data.draw(st.sampled_from(found.elsewhere))
            visitor.send(found.form.method, action, fields, htmx=htmx, files=files)

    prop()


def describe(found: Found) -> str:
    return f"{found.route.label} [{', '.join(sorted(found.form.fields))}] as {found.role}"


def distinct_forms(forms: Mapping[Any, Found]) -> int:
    return len({found.key for found in forms.values()})
