"""Trigram indexes for the admin's engagement search (title, organisation, contact).

The search is Django's `icontains`: `UPPER(col::text) LIKE UPPER('%word%')`, a pattern no
B-tree can serve, so at 100k engagements each word read every title (376 ms at p95 in
`make bench`). A GIN index of pg_trgm on the same expression answers it from the index.

PostgreSQL only: pg_trgm is an extension of PostgreSQL (a trusted one: the database's owner
may create it). The embedded SQLite of `make run` has no such index and searches by scanning,
which at its size costs nothing."""

from django.db import migrations

# (index name, table, column): each on UPPER(column::text), the expression icontains uses.
INDEXES = [
    ("engagement_title_trgm", "engagements_engagement", "title"),
    ("organization_name_trgm", "users_organization", "name"),
    ("user_email_trgm", "users_user", "email"),
    ("user_name_trgm", "users_user", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0004_engagement_admin_and_board_indexes"),
        ("users", "0002_invitations_and_team_events"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
