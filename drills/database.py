"""The drills' own database: dropped, created, migrated and given the shipped content."""

from __future__ import annotations

import os
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql


def recreate(url: str) -> None:
    """Drop and create the database named in ``url`` (never the one the app or tests use)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("cto_drills"):
        raise SystemExit(f"drills: refusing to recreate {name!r}: not a drills database.")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare() -> None:
    """Recreate the database, set Django up on it, migrate and load the shipped content with
    the loaders the tests use."""
    recreate(os.environ["DATABASE_URL"])
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")
    django.setup()
    from django.core.management import call_command

    from cto.playbooks.loading import playbooks_load

    call_command("migrate", interactive=False, verbosity=0)
    playbooks_load(publish=True)
