"""Path converters of our own.

``<id:pk>`` is ``<int:pk>`` bounded to the range of a database id (a 64-bit signed integer):
a path with a longer number answers 404 like any id that names no row. Django's ``int`` lets
any number through, which PostgreSQL compares as "no row" but SQLite refuses with an
OverflowError (a 500) before the query runs.
"""

from __future__ import annotations

from django.urls.converters import IntConverter

ID_MAX = 2**63 - 1  # BigAutoField's largest value, and SQLite's largest integer


class IdConverter(IntConverter):
    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            # A ValueError tells the resolver the path does not match: a 404.
            raise ValueError(f"{value} is past the largest id")
        return number
