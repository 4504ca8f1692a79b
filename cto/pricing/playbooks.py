"""The shipped pricing playbook in cto/playbooks/pricing/: the tiers it loads, and the risk
drivers and recommendation rules quotes are drafted with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cto.core.rules import rule_problems
from cto.playbooks.files import PLAYBOOKS_DIR, Loaded, read_yaml_mapping
from cto.pricing.models import PricingTier
from cto.users.models import User


@dataclass(frozen=True)
class Driver:
    key: str
    when: dict[str, Any]
    label: str
    reason: str
    multiplier: Decimal | None = None
    monthly: Decimal | None = None
    one_off: Decimal | None = None


@dataclass(frozen=True)
class PricingPlaybook:
    currency: str
    tiers: list[dict[str, Any]]
    drivers: list[Driver]
    recommendation: list[tuple[int, str]]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def pricing_playbook_read_shipped() -> PricingPlaybook:
    """The shipped pricing playbook: its tiers, risk drivers and recommendation rules."""
    path = PLAYBOOKS_DIR / "pricing" / "tiers.yaml"
    data = read_yaml_mapping(path.read_bytes(), name=path.name)
    problems: list[str] = []
    drivers = []
    for raw in data.get("drivers") or []:
        problems += rule_problems(raw.get("when"), f"driver {raw.get('key')!r}")
        try:
            drivers.append(
                Driver(
                    key=raw["key"],
                    when=raw["when"],
                    label=raw["label"],
                    reason=raw["reason"],
                    multiplier=_decimal(raw.get("multiplier")),
                    monthly=_decimal(raw.get("monthly")),
                    one_off=_decimal(raw.get("one_off")),
                )
            )
        except (KeyError, InvalidOperation):
            problems.append(
                f"driver {raw.get('key')!r}: needs key, when, label, reason and one effect."
            )
    for tier in data.get("tiers") or []:
        includes = tier.get("includes", [])
        if not (isinstance(includes, list) and all(isinstance(i, str) for i in includes)):
            problems.append(f"tier {tier.get('key')!r}: includes is a list of texts, one a line.")
    if problems:
        raise ValidationError(problems)
    rules = [
        (int(rule["at_least"]), str(rule["option"])) for rule in data.get("recommendation") or []
    ]
    return PricingPlaybook(
        str(data.get("currency", "EUR")), list(data.get("tiers") or []), drivers, rules
    )


@transaction.atomic
def tier_load_shipped(*, publish: bool, by: User | None = None) -> list[Loaded]:
    """Create the playbook's tiers that do not exist yet; tiers already there are left as
    operators edited them in the admin. Tiers have no versions: they are live once created,
    so ``publish`` and ``by`` change nothing (they are there so that every loader reads alike)."""
    playbook = pricing_playbook_read_shipped()
    loaded = []
    for raw in playbook.tiers:
        tier, created = PricingTier.objects.get_or_create(
            key=raw["key"],
            defaults={
                "name": raw["name"],
                "kind": raw["kind"],
                "currency": playbook.currency,
                "monthly_retainer": Decimal(raw["monthly_retainer"]),
                "days_per_week": Decimal(str(raw["days_per_week"])),
                "week_one_fee": Decimal(raw["week_one_fee"]),
                "minimum_term_months": raw["minimum_term_months"],
                "includes": raw.get("includes", []),
                "order": raw.get("order", 0),
            },
        )
        if created:
            tier.full_clean()
        loaded.append(Loaded(tier.key, tier, created))
    return loaded
