"""The database out of reach, for real (no mock of our code): the app's connection is pointed at
a loopback port where PostgreSQL is not. A closed port refuses at once; a port that takes the
connection and never answers (a stuck server, a network dropping packets) is given up on after
connect_timeout. Either way the page is our 503 with Retry-After, and /health/ says unavailable;
when the server is back the next request is served, and a connection the server ended (a restart)
is replaced rather than reported as an outage.

Cross-cutting: it runs the whole app under a fault of the database, so it mirrors no single
module."""

from __future__ import annotations

import contextlib
import socket
import time
import wsgiref.util
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from pytest_django import DjangoDbBlocker


@pytest.fixture
def web(django_db_blocker: DjangoDbBlocker) -> Iterator[Client]:
    """A client of the app whose requests may open real connections (refused, silent, or to
    the test database), outside any test transaction: as in production."""
    with django_db_blocker.unblock():
        connection.close()
        try:
            yield Client(raise_request_exception=False)
        finally:
            connection.close()


# For the tests that reach the test database: no transaction around them (it would hold the
# connection they close and see ended).
real_database = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def _database_on(port: int) -> Iterator[None]:
    """The app's connection aimed at ``port`` on loopback for a while, then back."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextlib.contextmanager
def _closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        yield int(sock.getsockname()[1])


@contextlib.contextmanager
def _silent_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)  # the kernel completes the handshake; nobody ever answers
        yield int(sock.getsockname()[1])


def _assert_outage_page(reply: HttpResponse) -> None:
    assert reply.status_code == 503
    assert reply["Retry-After"] == "60"
    text = reply.content.decode()
    assert "We are back in a minute" in text
    for detail in ("Traceback", "psycopg", "Connection refused"):  # nothing of ours leaks
        assert detail not in text


def test_a_page_that_needs_the_database_says_back_in_a_minute_when_it_refuses(
    web: Client,
) -> None:
    with _closed_port() as port, _database_on(port):
        _assert_outage_page(web.get("/pricing/"))


def test_health_says_unavailable_when_the_database_refuses(web: Client) -> None:
    with _closed_port() as port, _database_on(port):
        reply = web.get("/health/")
    assert reply.status_code == 503
    assert reply.json() == {"status": "unavailable"}


def test_a_database_that_never_answers_is_given_up_on_after_connect_timeout(
    web: Client,
) -> None:
    timeout = int(settings.DATABASES["default"]["OPTIONS"]["connect_timeout"])
    with _silent_port() as port, _database_on(port):
        started = time.monotonic()
        reply = web.get("/pricing/")
        took = time.monotonic() - started
    _assert_outage_page(reply)
    # Well before a worker would be killed for hanging (gunicorn's 30 s), and not at once.
    assert timeout <= 10
    assert timeout - 1 <= took < timeout + 5


@real_database
def test_the_next_request_is_served_when_the_database_is_back(web: Client) -> None:
    with _closed_port() as port, _database_on(port):
        assert web.get("/health/").status_code == 503
    assert web.get("/health/").status_code == 200
    assert web.get("/pricing/").status_code == 200


def _served(path: str) -> int:
    """The status of ``path`` served by Django's WSGI handler, as under gunicorn: unlike the
    test client's, its requests start by checking the kept connection (close_old_connections)."""
    environ: dict[str, object] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    wsgiref.util.setup_testing_defaults(environ)
    statuses: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: the connection is kept for the next request
    return int(statuses[0].split()[0])


@real_database
def test_a_connection_the_server_ended_is_replaced_not_reported_as_an_outage(
    web: Client,
) -> None:
    assert _served("/health/") == 200
    assert connection.connection is not None  # kept between requests (CONN_MAX_AGE)
    backend = connection.connection.info.backend_pid
    with psycopg.connect(**_admin_params(), autocommit=True) as admin:
        # What a restart of the server does to every connection it had.
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    assert _served("/health/") == 200
    assert connection.connection.info.backend_pid != backend


def _admin_params() -> dict[str, object]:
    db = connection.settings_dict
    return {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": db["NAME"],
    }
