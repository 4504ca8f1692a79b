"""cto/pricing/playbooks.py on PostgreSQL: the shipped tiers load once and keep admin edits, and
their inclusions are whole items (with the migration that mends the split one)."""

from __future__ import annotations

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps

from cto.pricing.models import PricingTier
from cto.pricing.playbooks import tier_load_shipped

pytestmark = pytest.mark.django_db


def test_tiers_load_once_and_keep_admin_edits(tiers: list[PricingTier]) -> None:
    assert {t.kind for t in tiers} == {"generic", "ai"}
    PricingTier.objects.filter(key="cto-lead").update(monthly_retainer=D("9000"))
    again = tier_load_shipped(publish=True)
    assert not any(loaded.created for loaded in again)
    assert PricingTier.objects.get(key="cto-lead").monthly_retainer == D("9000.00")


def test_an_inclusion_with_a_comma_stays_one_item(tiers: list[PricingTier]) -> None:
    lead = PricingTier.objects.get(key="ai-cto-lead")
    assert lead.includes[-1] == "One early trace, eval and failure mode"
    assert all(isinstance(item, str) and item for tier in tiers for item in tier.includes)


def test_the_migration_rejoins_the_inclusion_split_at_its_comma(tiers: list[PricingTier]) -> None:
    split = ["Everything in Advisor", "One early trace", "eval and failure mode", "Cost controls"]
    PricingTier.objects.filter(key="ai-cto-lead").update(includes=split)
    migration = importlib.import_module("cto.pricing.migrations.0004_tier_includes_rejoined")
    migration.tier_includes_rejoin(django_apps, None)
    assert PricingTier.objects.get(key="ai-cto-lead").includes == [
        "Everything in Advisor",
        "One early trace, eval and failure mode",
        "Cost controls",
    ]
    untouched = PricingTier.objects.get(key="cto-lead")
    assert untouched.includes == next(t for t in tiers if t.key == "cto-lead").includes
