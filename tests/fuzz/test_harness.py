"""The fuzz's judge can fail: an exception, a 500, markup echoed unescaped and an invalid row
are each counted and fail the example, and hostile text reaches the app byte for byte.

Cross-cutting, with test_fuzz.py: it tests the fuzz drill's own judge, not a module of cto/."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from cto.users.models import Organization
from drills.fuzz.harness import (
    FuzzFailure,
    Rows,
    Tally,
    Visitor,
    example,
    form_body,
    multipart_body,
    watching,
)
from drills.fuzz.strategies import INJECTIONS, sized_email

pytestmark = pytest.mark.django_db


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def echo(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.GET.get("q", ""), content_type="text/html")


urlpatterns = [path("broken/", broken), path("echo/", echo)]


@pytest.mark.urls("tests.fuzz.test_harness")
def test_an_exception_in_a_view_is_counted_not_raised() -> None:
    tally = Tally()
    with watching(tally), transaction.atomic():
        reply = Visitor(tally).send("GET", "/broken/")
    assert reply.status_code == 500
    assert (tally.exceptions, tally.server_errors) == (1, 1)
    assert "RuntimeError('a bug') in GET /broken/" in tally.problems[0]
    assert not tally.clean


@pytest.mark.urls("tests.fuzz.test_harness")
def test_markup_echoed_unescaped_is_counted() -> None:
    tally = Tally()
    with transaction.atomic():
        Visitor(tally).send("GET", "/echo/", {"q": INJECTIONS[0]})
        Visitor(tally).send("GET", "/echo/", {"q": "&lt;div&gt;"})
    assert tally.reflections == 1
    assert not tally.clean


def test_lone_surrogates_and_nul_bytes_are_sent_as_bytes() -> None:
    assert form_body({"t": "\ud800\x00", "c": ["a", "é"]}) == "t=%ED%A0%80%00&c=a&c=%C3%A9"


def test_multipart_bodies_carry_hostile_values_and_files_byte_for_byte() -> None:
    body = multipart_body({"t": "\ud800\x00"}, {"f": ('a"\x00.pdf', b"%PDF\xff", "x/y")})
    assert b'name="t"\r\n\r\n\xed\xa0\x80\x00\r\n' in body
    assert b'name="f"; filename="a%22\x00.pdf"\r\nContent-Type: x/y\r\n\r\n%PDF\xff\r\n' in body
    assert body.endswith(b"--\r\n")


def test_a_row_failing_full_clean_fails_its_example_and_is_rolled_back() -> None:
    tally, rows = Tally(), Rows()
    with (
        pytest.raises(FuzzFailure, match=r"users\.Organization .*cannot be blank"),
        example(tally, "rows", rows),
    ):
        Organization.objects.create(name="")
    assert tally.invalid_rows == 1
    assert tally.examples["rows"] == 1
    assert not Organization.objects.exists()


@pytest.mark.parametrize("length", [253, 254, 255, 320, 321])
def test_emails_at_the_length_limits_have_that_length(length: int) -> None:
    assert len(sized_email(length)) == length
