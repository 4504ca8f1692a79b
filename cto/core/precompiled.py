"""Statements on the hottest paths, compiled by the ORM once per process.

Every intake step reads the prospect's response by its token, and every answer writes the
response and a visit. Building those statements with the ORM costs more Python than the
database spends running them (a few hundred microseconds against tens), and these pages have
a speed target. So the ORM compiles each statement once per process and database, and each
call runs it with its own values, prepared by the fields as the ORM prepares them. The SQL is
the ORM's own for whichever database is configured, but for one PostgreSQL statement the ORM
cannot write (``update_where_then_insert``), spelt from the model's own names.

Only for plain values: no expressions (``F()``), no signals, no ``save()`` (auto_now fields
are not filled in: pass their values). Anything else goes through the ORM as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.db.models.expressions import Col
from django.db.models.sql import InsertQuery, UpdateQuery

M = TypeVar("M", bound=models.Model)
S = TypeVar("S")


@dataclass(frozen=True)
class _Select:
    sql: str
    columns: tuple[Col, ...]  # what each row holds, in order
    attnames: tuple[str, ...]


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[models.Field[Any, Any], ...]  # one per parameter, in order


def get_by(model: type[M], field_name: str, value: Any) -> M | None:
    """``model.objects.filter(<field_name>=value).first()`` without an order: the row where a
    unique field has this value, or None."""
    _refuse_none({field_name: value})
    alias = router.db_for_read(model)
    select = _compiled(
        ("get_by", model, field_name, alias), lambda: _select_by(model, field_name, value, alias)
    )
    connection = connections[alias]
    field = model._meta.get_field(field_name)
    with connection.cursor() as cursor:
        cursor.execute(select.sql, [_lookup_value(field, value, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, column in enumerate(select.columns):
        for convert in _converters(column, connection):
            values[position] = convert(values[position], column, connection)
    return model.from_db(alias, list(select.attnames), values)


def update_where(
    model: type[models.Model], *, where: Mapping[str, Any], values: Mapping[str, Any]
) -> int:
    """``model.objects.filter(**where).update(**values)``: the number of rows changed."""
    _refuse_none({**where, **values})
    alias = router.db_for_write(model)
    statement = _update_statement(model, where, values, alias)
    connection = connections[alias]
    with _writing(alias) as cursor:
        cursor.execute(statement.sql, _update_params(statement, where, values, connection))
        return int(cursor.rowcount)


def insert_ignoring_conflicts(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """``model.objects.bulk_create([model(**values)], ignore_conflicts=True)`` for one row."""
    alias = router.db_for_write(model)
    statement = _compiled(
        ("insert", model, tuple(values), alias), lambda: _insert(model, values, alias)
    )
    with _writing(alias) as cursor:
        cursor.execute(statement.sql, _insert_params(statement, values, connections[alias]))


def update_where_then_insert(
    model: type[models.Model],
    *,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
    insert_model: type[models.Model],
    insert_values: Mapping[str, Any],
) -> int:
    """``update_where``, and if it changed a row, ``insert_ignoring_conflicts``, all or
    nothing: the number of rows changed.

    On PostgreSQL this is one statement, its own transaction outside an atomic block: three
    round trips fewer than two statements between a BEGIN and a COMMIT. Elsewhere (the
    embedded SQLite), the two statements in a transaction.
    """
    _refuse_none({**where, **values})
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=alias):
            changed = update_where(model, where=where, values=values)
            if changed:
                insert_ignoring_conflicts(insert_model, insert_values)
        return changed
    update = _update_statement(model, where, values, alias)
    insert = _compiled(
        ("insert-after-update", insert_model, tuple(insert_values), alias),
        lambda: _insert_after_update(insert_model, insert_values, connection),
    )
    # The INSERT reads the UPDATE's rows: one row to insert if the UPDATE changed one, none
    # if it changed none. Both see the same snapshot, and the statement commits as one.
    sql = f"WITH changed AS ({update.sql} RETURNING 1), added AS ({insert.sql}) "
    sql += "SELECT count(*) FROM changed"
    params = [
        *_update_params(update, where, values, connection),
        *_insert_params(insert, insert_values, connection),
    ]
    with _writing(alias) as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


@contextmanager
def _writing(alias: str) -> Iterator[CursorWrapper]:
    """A cursor for a write. As with the ORM's writes, an error inside an atomic block marks
    it for rollback, even if the caller catches it."""
    with transaction.mark_for_rollback_on_error(alias), connections[alias].cursor() as cursor:
        yield cursor


def _update_params(
    statement: _Statement,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
    connection: BaseDatabaseWrapper,
) -> list[Any]:
    changed = len(values)
    return [
        *(
            field.get_db_prep_save(value, connection)
            for field, value in zip(statement.fields[:changed], values.values(), strict=True)
        ),
        *(
            _lookup_value(field, value, connection)
            for field, value in zip(statement.fields[changed:], where.values(), strict=True)
        ),
    ]


def _insert_params(
    statement: _Statement, values: Mapping[str, Any], connection: BaseDatabaseWrapper
) -> list[Any]:
    return [
        field.get_db_prep_save(value, connection)
        for field, value in zip(statement.fields, values.values(), strict=True)
    ]


# --- Compiled once per process and database -----------------------------------------------
# Each is compiled from the first call's values; the SQL holds a placeholder for every value
# (checked), so it serves any later values.

_statements: dict[tuple[Any, ...], Any] = {}


def _compiled(key: tuple[Any, ...], compile_: Callable[[], S]) -> S:
    found = _statements.get(key)
    if found is None:  # two threads may both compile: the same statement, harmlessly
        found = _statements[key] = compile_()
    return cast(S, found)


def _update_statement(
    model: type[models.Model], where: Mapping[str, Any], values: Mapping[str, Any], alias: str
) -> _Statement:
    return _compiled(
        ("update", model, tuple(where), tuple(values), alias),
        lambda: _update(model, where, values, alias),
    )


def _select_by(model: type[models.Model], field_name: str, value: Any, alias: str) -> _Select:
    query = model._default_manager.filter(**{field_name: value}).order_by().query
    compiler = query.get_compiler(alias)
    sql, params = compiler.as_sql()
    _expect_parameters(sql, params, 1)
    columns = tuple(column for column, _, _ in compiler.select)
    attnames = tuple(column.target.attname for column in columns)
    return _Select(sql=sql, columns=columns, attnames=attnames)


def _update(
    model: type[models.Model], where: Mapping[str, Any], values: Mapping[str, Any], alias: str
) -> _Statement:
    # One Q per condition keeps the given order (keyword arguments would be sorted).
    conditions = [Q((name, value)) for name, value in where.items()]
    update = cast(UpdateQuery, model._default_manager.filter(*conditions).query.chain(UpdateQuery))
    update.add_update_values(dict(values))
    sql, params = update.get_compiler(alias).as_sql()
    # The compiler lists the SET values in the order given, then the WHERE values.
    fields = tuple(_concrete(model, name) for name in (*values, *where))
    _expect_parameters(sql, params, len(fields))
    return _Statement(sql=sql, fields=fields)


def _insert(model: type[models.Model], values: Mapping[str, Any], alias: str) -> _Statement:
    fields = tuple(_concrete(model, name) for name in values)
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(list(fields), [model(**values)])
    compiled = query.get_compiler(alias).as_sql()
    if len(compiled) != 1:
        raise RuntimeError(f"Expected one INSERT statement, got {len(compiled)}.")
    sql, params = compiled[0]
    _expect_parameters(sql, params, len(fields))
    return _Statement(sql=sql, fields=fields)


def _insert_after_update(
    model: type[models.Model], values: Mapping[str, Any], connection: BaseDatabaseWrapper
) -> _Statement:
    """PostgreSQL's INSERT ... SELECT from the UPDATE's rows. The ORM has no such statement,
    so it is spelt here from the model's own table and column names."""
    fields = tuple(_concrete(model, name) for name in values)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    placeholders = ", ".join("%s" for _ in fields)
    # Quoted names from the model; every value is a parameter.
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT {placeholders} FROM changed"  # noqa: S608  # as above
    sql += " ON CONFLICT DO NOTHING"
    return _Statement(sql=sql, fields=fields)


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field


def _refuse_none(values: Mapping[str, Any]) -> None:
    """The ORM spells None as NULL (IS NULL in a condition), with no placeholder: the
    statement would not fit other values, nor would a None fit it."""
    empty = [name for name, value in values.items() if value is None]
    if empty:
        raise ValueError(f"No None values in a precompiled statement: {empty}")


def _expect_parameters(sql: str, params: Sequence[Any], count: int) -> None:
    """One placeholder a value, or the statement cannot be reused with other values."""
    if len(params) != count:
        raise RuntimeError(f"Expected {count} parameters, the ORM compiled {params!r}: {sql}")


def _lookup_value(field: Any, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """The value as an exact lookup on ``field`` sends it."""
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


def _converters(column: Col, connection: BaseDatabaseWrapper) -> list[Any]:
    """How the ORM turns this column's database value into the field's (a JSON document
    into a dict, say): the backend's converters, then the field's own."""
    backend: list[Any] = connection.ops.get_db_converters(column)
    return backend + column.field.get_db_converters(connection)
