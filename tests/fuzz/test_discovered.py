"""The forms found by walking the URL patterns (drills/fuzz/discovery.py), in the reduced form
of make test: every discovered form, signed-in ones included, with a few hostile examples
each, the same every run; and the check that no route taking POST escapes the discovery.

Cross-cutting, with test_fuzz.py: it fuzzes every app's forms at once, so it mirrors no
single module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from drills.fuzz.discovery import Discovery, Prepare, discover
from drills.fuzz.found_forms import describe, foreign_client, roles, run_found
from drills.fuzz.harness import Rows, Tally, watching
from drills.fuzz.pages import PageParser
from drills.fuzz.world import build

pytestmark = pytest.mark.django_db

EXAMPLES = 4
# Forms every run must find: one per kind of signed-in page (a sample, not the list: the
# discovery finds the rest without being told).
EXPECTED = {
    "audits:answer",
    "checklists:item_status",
    "checklists:item_evidence",
    "aiplan:comment_add",
    "pricing:accept",
    "pricing:line_add",
    "ops:advance",
    "ops:search",
    "users:invite",
    "tokens:list",
    "tokens:revoke",
    "intake:question",
    "intake:result",
    "intake:call",
}


@pytest.fixture
def tally() -> Iterator[Tally]:
    tally = Tally()
    with watching(tally):
        yield tally


@pytest.fixture
def world_and_discovery(tally: Tally) -> tuple[dict[str, Prepare], Discovery, Rows]:
    rows = Rows()
    world = build()
    prepare = roles(world)
    found = discover(
        tally=tally,
        roles=prepare,
        foreign=foreign_client(world),
        extra={"token": list(world.emailed_tokens())},
    )
    rows.problems()  # the world's own rows: test_fuzz.py checks them
    return prepare, found, rows


def test_every_form_found_by_walking_the_urls_survives_hostile_input(
    world_and_discovery: tuple[dict[str, Prepare], Discovery, Rows], tally: Tally
) -> None:
    prepare, found, rows = world_and_discovery
    assert tally.clean, tally.problems  # the visits themselves: own, foreign and junk ids
    assert not found.unreached, f"routes taking POST that no form reaches: {found.unreached}"
    assert not found.stale, f"NOT_FUZZED names routes that are gone: {found.stale}"
    assert {route for route, _ in found.distinct} >= EXPECTED
    for found_form in found.forms.values():
        run_found(
            found_form,
            prepare=prepare[found_form.role],
            tally=tally,
            rows=rows,
            examples=EXAMPLES,
            derandomize=True,
        )
        assert tally.examples[describe(found_form)] >= EXAMPLES
    assert tally.clean, tally.problems


@require_GET
def page_with_a_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse('<form method="post" action="/covered/"><input name="a"></form>')


@require_POST
def post_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("done")


urlpatterns = [
    path("", page_with_a_form),
    path("covered/", post_only),
    path("orphan/", post_only),  # takes POST, and no page has a form for it
]


@pytest.mark.urls("tests.fuzz.test_discovered")
def test_a_route_taking_post_that_no_form_reaches_is_reported(tally: Tally) -> None:
    found = discover(
        tally=tally,
        roles={"anonymous": lambda visitor: None},
        foreign=lambda visitor: None,
        extra={},
    )
    assert [route for route, _ in found.distinct] == ["covered/"]
    assert found.unreached == ["orphan/"]


def test_the_parser_reads_fields_options_and_htmx_actions() -> None:
    parser = PageParser("/portal/things/1/")
    parser.feed(
        '<form method="post" action="save/" hx-post="save/" hx-encoding="multipart/form-data">'
        '<input type="hidden" name="version" value="3"><input name="title">'
        '<select name="owner"><option value="">Nobody</option>'
        '<option value="7" selected>Pat</option></select>'
        '<input type="checkbox" name="tag" value="a" checked><input type="checkbox" name="tag" '
        'value="b"><textarea name="note">Hi</textarea><input type="file" name="upload">'
        '<button type="submit">Save</button></form>'
        '<button hx-delete="/portal/things/1/" hx-vals=\'{"why": "done"}\'>Drop</button>'
        '<a href="/portal/">Home</a>'
    )
    form, button = parser.forms
    assert (form.method, form.action, form.htmx, form.multipart) == (
        "POST",
        "/portal/things/1/save/",
        True,
        True,
    )
    assert form.fields["version"].value == ["3"]
    assert (form.fields["owner"].options, form.fields["owner"].value) == (["", "7"], ["7"])
    assert (form.fields["tag"].options, form.fields["tag"].value) == (["a", "b"], ["a"])
    assert form.fields["tag"].multiple
    assert form.fields["note"].value == ["Hi"]
    assert form.fields["upload"].kind == "file"
    assert (button.method, button.action, button.fields["why"].value) == (
        "DELETE",
        "/portal/things/1/",
        ["done"],
    )
    assert parser.links == ["/portal/"]
