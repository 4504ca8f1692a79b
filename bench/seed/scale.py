"""`seed_scale`: the domains written in order, in one transaction."""

from __future__ import annotations

import random

from django.db import connection, transaction
from django.utils import timezone

from bench.seed.audits import audits_write
from bench.seed.checklists import checklists_write
from bench.seed.engagements import engagements_write
from bench.seed.people import organizations_write, users_write
from bench.seed.pricing import quotes_write
from bench.seed.reports import reports_write
from bench.seed.world import ScaleReport, ScaleSizes, World, sizes_from
from cto.audits.models import AuditTemplateVersion
from cto.checklists.services import current_template
from cto.pricing.models import PricingTier

__all__ = ["ScaleReport", "ScaleSizes", "seed_scale", "sizes_from"]  # one import for callers


def seed_scale(*, sizes: ScaleSizes, seed: int = 1) -> ScaleReport:
    """Add ``sizes`` worth of organisations, people, engagements, timelines, checklists,
    audits, quotes and reports next to whatever is there (the demo, typically), in one
    transaction, then ANALYZE the tables it wrote. Needs the checklist and audit templates and
    the pricing tiers loaded and published (seed_demo does)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The scale seeder writes with PostgreSQL's COPY.")
    checklist_version = current_template()
    audit_version = AuditTemplateVersion.objects.current("ai-readiness")
    tiers = {
        kind: list(PricingTier.objects.filter(kind=kind, active=True).order_by("order")[:3])
        for kind in PricingTier.Kind.values
    }
    if checklist_version is None or audit_version is None or not all(tiers.values()):
        raise RuntimeError("Load and publish the playbooks first (seed_demo does).")
    started = timezone.now()
    # Not for secrets: the same seed must give the same world.
    world = World(sizes, random.Random(seed), started)  # noqa: S311  # see above
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no COPY
        users_write(world, raw)
        organizations_write(world, raw)
        engagements_write(world, raw)
        checklists_write(world, raw, checklist_version.pk, checklist_version.parsed())
        audits_write(world, raw, audit_version.pk, list(audit_version.parsed().questions))
        quotes_write(world, raw, tiers)
        reports_write(world, raw)
    with connection.cursor() as cursor:
        for model in world.rows:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    seconds = (timezone.now() - started).total_seconds()
    return ScaleReport({model._meta.label: n for model, n in world.rows.items()}, seconds)
