"""The change counter: which tables it covers, that every kind of write moves it, and when a
mark is settled. These tests commit (transaction=True): a mark is never taken inside a
transaction, which is where every other test runs."""

from __future__ import annotations

import psycopg
import pytest
from django.apps import apps
from django.db import connection, transaction

from cto.core import changes
from cto.engagements.models import Engagement
from cto.intake.models import IntakeResponse
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Raw SQL, as another process (or a hand in psql) would write.
RENAME = "UPDATE engagements_engagement SET title = %s WHERE id = %s"


def counter() -> str:
    found = changes.mark()
    assert found is not None
    return found.counter


def triggered_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [changes.TRIGGER],
        )
        return {row[0] for row in cursor.fetchall()}


def test_every_table_of_our_apps_is_counted_but_the_exempt_ones() -> None:
    ours = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("cto.")
    }
    exempt = {apps.get_model(label)._meta.db_table for label in changes.EXEMPT}
    assert exempt <= ours  # no stale name on the list
    assert triggered_tables() == ours - exempt
    assert Engagement._meta.db_table in triggered_tables()
    assert IntakeResponse._meta.db_table not in triggered_tables()


def test_install_is_idempotent_and_restores_a_dropped_trigger() -> None:
    table = Engagement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER {changes.TRIGGER} ON "{table}"')
    assert table not in triggered_tables()
    changes.install()
    changes.install()
    assert table in triggered_tables()


def test_inserts_updates_deletes_and_raw_sql_move_the_counter() -> None:
    before = counter()
    engagement = EngagementFactory()
    after_insert = counter()
    assert after_insert != before
    # A bulk update sends no signal; the trigger sees it all the same.
    Engagement.objects.filter(pk=engagement.pk).update(title="Renamed in bulk")
    after_update = counter()
    assert after_update != after_insert
    with connection.cursor() as cursor:
        cursor.execute(
            RENAME,
            ["Renamed by hand", engagement.pk],
        )
    after_raw = counter()
    assert after_raw != after_update
    Engagement.objects.filter(pk=engagement.pk).delete()
    assert counter() != after_raw


def test_the_intakes_answers_do_not_move_it() -> None:
    before = counter()
    # A statement trigger would fire even though no row matches: none is there to fire.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_intakeresponse SET answers = answers")
    assert counter() == before


def test_no_mark_inside_a_transaction() -> None:
    with transaction.atomic():
        assert changes.mark() is None
    assert changes.mark() is not None


def test_a_mark_is_not_settled_while_a_counted_write_is_uncommitted(
    other_connection: psycopg.Connection,
) -> None:
    engagement = EngagementFactory(title="Before")
    assert changes.mark().settled  # type: ignore[union-attr]  # outside a transaction
    with other_connection.cursor() as cursor:
        cursor.execute(
            RENAME,
            ["After", engagement.pk],
        )
    # The counter has moved already, but the new title is not visible yet: what is read now
    # must not be stored under this mark.
    open_mark = changes.mark()
    assert open_mark is not None
    assert not open_mark.settled
    assert Engagement.objects.get(pk=engagement.pk).title == "Before"
    other_connection.commit()
    settled = changes.mark()
    assert settled is not None
    assert settled.settled
    assert settled.counter == open_mark.counter  # nothing new counted: the commit made it visible
    assert Engagement.objects.get(pk=engagement.pk).title == "After"
