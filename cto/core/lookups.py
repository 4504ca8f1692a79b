"""Query pieces the ORM does not spell the way PostgreSQL's planner needs."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler


class AnyOfArray(Lookup):
    """``lhs = ANY(ARRAY(subquery))``: the subquery runs once, as an init plan, and the
    condition can use the column's index, even inside an OR (the planner ORs the indexes'
    bitmaps). Django's ``__in=subquery`` becomes a hashed subplan that tests every row."""

    lookup_name = "any_of_array"

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT ...)"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def in_ids(field: str, ids: QuerySet[Any]) -> Q:
    """``field`` is one of the ids ``ids`` selects (a one-column queryset): indexed on
    PostgreSQL (``AnyOfArray``), the plain ``__in`` elsewhere (the embedded SQLite)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return Q(AnyOfArray(F(field), ids))
