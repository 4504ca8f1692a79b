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


def test_the_migration_assigns_existing_items_by_side(
    checklist: Checklist, operator: User, client_user: User
) -> None:
    from django.apps import apps

    assign = importlib.import_module(
        "cto.checklists.migrations.0005_items_assigned_by_side"
    ).items_assign_by_side
    by_hand = checklist.items.get(key="risk_map")
    checklist.items.update(owner=None)  # as before the migration
    checklist.items.filter(pk=by_hand.pk).update(owner=client_user)  # an owner set by hand

    assign(apps, None)

    owners = dict(checklist.items.exclude(pk=by_hand.pk).values_list("key", "owner"))
    sides = dict(checklist.items.values_list("key", "owner_side"))
    assert {key: sides[key] for key in owners if owners[key] == client_user.pk} == {
        key: "client" for key, side in sides.items() if side == "client"
    }
    assert {key for key in owners if owners[key] == operator.pk} == {
        key for key, side in sides.items() if side == "practice" and key != "risk_map"
    }
    assert checklist.items.get(pk=by_hand.pk).owner == client_user
