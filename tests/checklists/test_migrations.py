"""cto/checklists/migrations on PostgreSQL: the data migration that fills the earliest open day."""

from __future__ import annotations

import importlib

import pytest

from cto.checklists.models import Checklist
from cto.users.models import User
from tests.checklists.conftest import earliest_open_day, finish

pytestmark = pytest.mark.django_db


def test_the_migration_fills_the_earliest_open_day_of_existing_checklists(
    checklist: Checklist, operator: User
) -> None:
    from django.apps import apps

    fill = importlib.import_module(
        "cto.checklists.migrations.0003_checklist_earliest_open_day"
    ).earliest_open_day_fill
    finish(checklist, day=1, by=operator)
    Checklist.objects.update(earliest_open_day=None)  # as before the migration
    fill(apps, None)
    assert earliest_open_day(checklist) == 2
