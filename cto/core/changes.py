"""A counter of changes to the domain's tables, so that a page may cache what it shows and know
when that has gone stale, without any code having to remember to invalidate it.

Every INSERT, UPDATE, DELETE or TRUNCATE statement on a table of our apps (bar `EXEMPT`)
advances one PostgreSQL sequence, from a statement-level trigger: services, the admin, bulk
`.update()`, COPY and raw SQL alike. Whatever was cached under the counter's value is stale as
soon as the value moves on; nothing is ever deleted, old entries simply stop being asked for.

The subtlety is that a writer advances the counter when its statement runs, not when it
commits. A reader that saw the new value while the writer was still open would read the old
rows, cache them under the new value and go on serving them. So a reader may store only what it
read after a *settled* mark: one taken when no transaction of this database that had written
anything was still open. Every change the counter had counted was then committed, and visible
to the queries that follow. Both are read in one round trip, by `cto_changes_mark()`, whose
second statement looks at the open transactions after its first has read the counter.

Installed after every `migrate` (post_migrate), so a table added later is covered without a
migration of its own; `tests/core/test_changes.py` checks that every table is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

TRIGGER = "cto_changes_touch"  # on every counted table, advancing the sequence cto_changes

# Tables whose writes no cached page shows: counting them would only throw the caches away.
# A fragment that starts showing one of them must take it off this list.
EXEMPT = {
    # A prospect's answers, saved at every step of the intake; an engagement (counted) is only
    # made from them at the end.
    "intake.IntakeResponse",
    "intake.IntakeVisit",
}

INSTALL_SQL = """
CREATE SEQUENCE IF NOT EXISTS cto_changes;

CREATE OR REPLACE FUNCTION cto_changes_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('cto_changes');
    RETURN NULL;
END
$$;

-- The counter (with the sequence's oid, so that a database made again never reuses an old
-- value), then whether any other transaction of this database that has written is open. The
-- second statement runs after the first: a writer that the counter already counted is either
-- visible by then or still open, and then the mark is not settled.
CREATE OR REPLACE FUNCTION cto_changes_mark(OUT counter text, OUT settled boolean)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT 'cto_changes'::regclass::oid || '.' || last_value || '.' || is_called
        INTO counter FROM cto_changes;
    SELECT NOT EXISTS (
        SELECT 1 FROM pg_stat_activity
        WHERE datname = current_database()
          AND backend_xid IS NOT NULL
          AND pid <> pg_backend_pid()
    ) INTO settled;
END
$$;
"""


@dataclass(frozen=True)
class Mark:
    counter: str  # changes so far: what a cache key is made of
    settled: bool  # every change counted is visible: what is read now may be stored


def counted_tables() -> list[str]:
    """The tables of our apps whose changes the counter counts."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.app_config.name.startswith("cto.") or meta.proxy or not meta.managed:
            continue
        if meta.label in EXEMPT:
            continue
        tables.append(meta.db_table)
    return sorted(set(tables))


def install(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the sequence and functions, add the trigger where it is missing and take it off
    exempt tables. Cheap when all is in place: triggers are only created where missing, so a
    `migrate` takes no table lock for them."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    wanted = set(counted_tables())
    with connection.cursor() as cursor:
        cursor.execute(INSTALL_SQL)
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND c.relnamespace = current_schema()::regnamespace",
            [TRIGGER],
        )
        present = {row[0] for row in cursor.fetchall()}
        quote = connection.ops.quote_name
        for table in sorted(wanted - present):
            cursor.execute(
                f"CREATE TRIGGER cto_changes_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION cto_changes_touch()"
            )
        for table in sorted(present - wanted):
            cursor.execute(f"DROP TRIGGER cto_changes_touch ON {quote(table)}")


def install_after_migrate(sender: object, using: str = DEFAULT_DB_ALIAS, **kwargs: object) -> None:
    install(using)


def mark(using: str = DEFAULT_DB_ALIAS) -> Mark | None:
    """Where the counter stands, to be read before anything the cached page shows. None inside
    a transaction: what it reads may include its own uncommitted writes, which must never be
    cached (and tests, each in a transaction, see every page uncached)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT counter, settled FROM cto_changes_mark()")
        counter, settled = cursor.fetchone()
    return Mark(counter=counter, settled=settled)
