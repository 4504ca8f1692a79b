"""cto/pricing/migrations on PostgreSQL: the signed monthly total kept at acceptance, and filled
by the data migration for quotes accepted before the field existed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from cto.pricing import selectors, services
from cto.pricing.models import Quote
from tests.pricing.conftest import sign

pytestmark = pytest.mark.django_db


def test_acceptance_keeps_the_signed_monthly_total_and_the_migration_fills_earlier_ones(
    sent: Quote,
) -> None:
    accepted = services.quote_accept(quote=sent, signature=sign(sent), by=sent.engagement.contact)
    option = accepted.options.prefetch_related("lines").get(label="better")
    signed = option.totals().monthly
    assert any(line.kind == "multiplier" for line in option.lines.all())  # the drivers count
    assert accepted.accepted_monthly == signed
    assert selectors.monthly_recurring_revenue() == {"EUR": signed}

    # A quote accepted before the field existed: the migration works it out from the lines.
    # (The constraint goes for this test only: PostgreSQL rolls the DDL back with the test.)
    check = next(c for c in Quote._meta.constraints if c.name == "quote_accepted_is_signed")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left: ALTER may run
    with connection.schema_editor() as editor:
        editor.remove_constraint(Quote, check)
    Quote.objects.filter(pk=accepted.pk).update(accepted_monthly=None)
    migration = importlib.import_module("cto.pricing.migrations.0002_quote_accepted_monthly")
    migration.accepted_monthly_fill(django_apps, None)
    accepted.refresh_from_db()
    assert accepted.accepted_monthly == signed
