"""cto/core/migrations: what the former page cache left in a PostgreSQL database is removed."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

drop = importlib.import_module("cto.core.migrations.0001_drop_the_change_counter")


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def test_the_change_counters_triggers_functions_and_sequence_are_dropped() -> None:
    with connection.cursor() as cursor:  # as the removed cto/core/changes.py installed them
        cursor.execute("CREATE SEQUENCE cto_changes")
        cursor.execute(
            "CREATE FUNCTION cto_changes_touch() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM nextval('cto_changes'); RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE FUNCTION cto_changes_mark(OUT counter text) LANGUAGE sql AS $$ SELECT '1' $$"
        )
        cursor.execute(
            "CREATE TRIGGER cto_changes_touch AFTER INSERT OR UPDATE OR DELETE "
            "ON engagements_engagement FOR EACH STATEMENT EXECUTE FUNCTION cto_changes_touch()"
        )
    with connection.schema_editor() as editor:
        drop.drop_change_counter(None, editor)
    assert _count("SELECT count(*) FROM pg_trigger WHERE tgname = 'cto_changes_touch'") == 0
    assert _count("SELECT count(*) FROM pg_proc WHERE proname LIKE 'cto_changes%'") == 0
    assert _count("SELECT count(*) FROM pg_class WHERE relname = 'cto_changes'") == 0


def test_a_database_without_them_migrates_as_well() -> None:
    with connection.schema_editor() as editor:
        drop.drop_change_counter(None, editor)  # nothing to drop: no error
