"""cto/pricing/playbooks.py on PostgreSQL: the shipped tiers load once and keep admin edits."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cto.pricing.models import PricingTier
from cto.pricing.playbooks import tier_load_shipped

pytestmark = pytest.mark.django_db


def test_tiers_load_once_and_keep_admin_edits(tiers: list[PricingTier]) -> None:
    assert {t.kind for t in tiers} == {"generic", "ai"}
    PricingTier.objects.filter(key="cto-lead").update(monthly_retainer=D("9000"))
    again = tier_load_shipped(publish=True)
    assert not any(loaded.created for loaded in again)
    assert PricingTier.objects.get(key="cto-lead").monthly_retainer == D("9000.00")
