"""How the fuzz talks to the app and judges what it did.

A ``Visitor`` is the Django test client with DEBUG-off semantics: a view that raises becomes a
500 response instead of an exception in the fuzz, and the ``got_request_exception`` signal is
counted. Bodies are encoded here, byte by byte, so that lone surrogates and NUL bytes reach
the app as a hostile client would send them. Each example runs in a transaction that is
rolled back, and before that every row of the app's models made since the run began is put
through ``full_clean()``.
"""

from __future__ import annotations

import itertools
import logging
import random
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote_from_bytes

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.signals import got_request_exception
from django.db import models, transaction
from django.db.models import Max
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.test.client import ClientHandler

from drills.fuzz.strategies import INJECTIONS

# The apps whose rows a public form can create or change (allauth's "account" included).
CHECKED_APPS = ("intake", "engagements", "users", "reports", "account")
# Loggers that would print a line for every refused request of the fuzz.
NOISY_LOGGERS = ("django.request", "django.security", "django.server", "cto", "allauth")
FIRST_PROBLEMS = 5  # how many problems a report quotes in full
# gunicorn's limit_request_line (its default, which docs/deployment.md keeps): a longer
# URL is refused before Django sees it. The fuzz answers such requests with the 414 the server
# would send: passing them on would only measure Django's own URL decoding, which is quadratic
# in the broken UTF-8 sequences of a megabyte-long path.
MAX_REQUEST_LINE = 4094

Fields = Mapping[str, str | Sequence[str]]


def encode(value: str) -> str:
    """Percent-encode any text, lone surrogates included (as the bytes a buggy client sends)."""
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


def form_body(fields: Fields) -> str:
    pairs = []
    for name, value in fields.items():
        for item in [value] if isinstance(value, str) else value:
            pairs.append(f"{encode(name)}={encode(item)}")
    return "&".join(pairs)


Upload = tuple[str, bytes, str]  # file name, content, content type
BOUNDARY = "fuzzboundary7MA4YWxkTrZu0gW"


def _quoted(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass").replace(b'"', b"%22")


def multipart_body(fields: Fields, files: Mapping[str, Upload]) -> bytes:
    """A multipart/form-data body, byte by byte as for ``form_body``: hostile names and
    values (lone surrogates, NUL) reach the parser as sent."""
    parts = []
    for name, value in fields.items():
        for item in [value] if isinstance(value, str) else value:
            parts.append(
                b'Content-Disposition: form-data; name="%s"\r\n\r\n%s'
                % (_quoted(name), item.encode("utf-8", "surrogatepass"))
            )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            b'Content-Disposition: form-data; name="%s"; filename="%s"\r\n'
            b"Content-Type: %s\r\n\r\n%s"
            % (_quoted(name), _quoted(filename), _quoted(content_type), content)
        )
    boundary = BOUNDARY.encode()
    body = b"".join(b"--%s\r\n%s\r\n" % (boundary, part) for part in parts)
    return body + b"--%s--\r\n" % boundary


@dataclass
class Tally:
    """What the run did and what went wrong; a problem fails the example it happened in."""

    examples: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    exceptions: int = 0
    server_errors: int = 0
    invalid_rows: int = 0
    reflections: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text[:500])

    @property
    def clean(self) -> bool:
        return not (self.exceptions or self.server_errors or self.invalid_rows or self.reflections)

    def figures(self) -> str:
        return (
            f"{self.requests} requests, {self.exceptions} exceptions, "
            f"{self.server_errors} responses 5xx, {self.invalid_rows} rows failing full_clean, "
            f"{self.reflections} unescaped injections"
        )


class FuzzFailure(AssertionError):
    """An example that produced an exception, a 5xx, an invalid row or an unescaped injection."""


_addresses = itertools.count(random.SystemRandom().randrange(1 << 24))


def fresh_address() -> str:
    """A client address of its own per visitor: the per-address rate limits stay in force,
    while one example's requests do not use up the next one's budget."""
    number = next(_addresses) % (1 << 24)
    return f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"


class Visitor(Client):
    """One browser: its cookies, its address, and requests that are counted and judged."""

    # Every visitor shares one handler: building the middleware chain per visitor would cost
    # more than most examples' requests (the handler keeps no state between requests).
    shared_handler: ClassVar[ClientHandler | None] = None

    def __init__(self, tally: Tally) -> None:
        super().__init__(raise_request_exception=False, REMOTE_ADDR=fresh_address())
        if Visitor.shared_handler is None:
            Visitor.shared_handler = self.handler
        self.handler = Visitor.shared_handler
        self.tally = tally

    def send(
        self,
        method: str,
        path: str,
        fields: Fields | None = None,
        *,
        htmx: bool = False,
        files: Mapping[str, Upload] | None = None,
    ) -> HttpResponseBase:
        """GET (fields in the query) or POST (fields in an urlencoded body) ``path``, which must
        already be percent-encoded; with ``files``, a multipart body. Each request gets a
        savepoint of its own, released when it went well and rolled back when it failed, as the
        autocommit of a real request would."""
        headers = {"HX-Request": "true"} if htmx else {}
        body = form_body(fields or {})
        url = f"{path}?{body}" if method == "GET" and body else path
        if len(f"{method} {url} HTTP/1.1") > MAX_REQUEST_LINE:
            self.tally.requests += 1
            self.tally.statuses[414] += 1
            return HttpResponse(status=414)
        savepoint = transaction.savepoint()
        failures = self.tally.exceptions
        if method == "GET":
            response = self.generic("GET", url, headers=headers)
        elif files is not None:
            response = self.generic(
                method,
                path,
                multipart_body(fields or {}, files),
                content_type=f"multipart/form-data; boundary={BOUNDARY}",
                headers=headers,
            )
        else:
            response = self.generic(
                method,
                path,
                body,
                content_type="application/x-www-form-urlencoded",
                headers=headers,
            )
        self.tally.requests += 1
        self.tally.statuses[response.status_code] += 1
        if response.status_code >= 500 or self.tally.exceptions > failures:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
        if response.status_code >= 500:
            self.tally.server_errors += 1
            self.tally.problem(f"{response.status_code} on {method} {path[:200]}")
        self._look_for_injections(method, path, response)
        return response

    def _look_for_injections(self, method: str, path: str, response: HttpResponseBase) -> None:
        if not isinstance(response, HttpResponse) or not response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            return  # streamed files and JSON are not pages
        page = response.content.decode(errors="replace")
        for injection in INJECTIONS:
            if injection in page:
                self.tally.reflections += 1
                self.tally.problem(f"unescaped {injection!r} in the page of {method} {path[:200]}")


@contextmanager
def watching(tally: Tally) -> Iterator[None]:
    """Count every exception a view lets escape, and keep the fuzz's thousands of refused
    requests out of the log."""

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        tally.exceptions += 1
        where = f"{request.method} {request.path[:200]}" if request is not None else "?"
        tally.problem(f"{error!r} in {where}"[:500])

    got_request_exception.connect(record, weak=False, dispatch_uid="fuzz-exceptions")
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        got_request_exception.disconnect(dispatch_uid="fuzz-exceptions")
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def checked_models() -> list[type[models.Model]]:
    found = []
    for label in CHECKED_APPS:
        for model in apps.get_app_config(label).get_models():
            if isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
                found.append(model)
    return found


class Rows:
    """The rows of the checked models made since the run began, put through ``full_clean()``
    when they are new or have changed since they were last checked: full_clean costs a few
    queries a row, and most examples leave most rows as they were. So each invalid row is
    reported once, where it was made or changed."""

    def __init__(self) -> None:
        self.since = {
            model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            for model in checked_models()
        }
        self.seen: dict[tuple[type[models.Model], Any], list[Any]] = {}

    def problems(self) -> list[str]:
        found = []
        for model, top in self.since.items():
            fields = model._meta.concrete_fields
            for row in model._default_manager.filter(pk__gt=top).order_by("pk"):
                values = [getattr(row, field.attname) for field in fields]
                if self.seen.get((model, row.pk)) == values:
                    continue
                self.seen[(model, row.pk)] = values
                try:
                    row.full_clean()
                except ValidationError as error:
                    found.append(f"{model._meta.label} {row.pk}: {error.message_dict}")
        return found


@contextmanager
def example(tally: Tally, form: str, rows: Rows) -> Iterator[None]:
    """One example of ``form``: counted, its rows checked, then rolled back; raises
    FuzzFailure (for Hypothesis to shrink) when anything went wrong in it."""
    tally.examples[form] += 1
    before = len(tally.problems)
    with transaction.atomic():
        try:
            yield
            check_rows(tally, rows, form)
        finally:
            transaction.set_rollback(True)
    if len(tally.problems) > before:
        raise FuzzFailure("; ".join(tally.problems[before : before + FIRST_PROBLEMS]))


def check_rows(tally: Tally, rows: Rows, where: str) -> None:
    for problem in rows.problems():
        tally.invalid_rows += 1
        tally.problem(f"after {where}: {problem}")
