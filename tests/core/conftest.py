"""Fixtures of the core tests."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection


@pytest.fixture
def other_connection() -> Iterator[psycopg.Connection]:
    """A second client of the same database, as another process would be: what it writes is
    invisible to the app's connection until it commits."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        yield other
