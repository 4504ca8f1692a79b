"""Engagements spread over every stage as a few years leave them, and their timelines."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from bench.seed.world import SeededEngagement, World, copy_rows, reserve_ids
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage

# Where engagements sit after a few years: most work closed (completed or lost), a thin layer of
# open work on top. Weights in percent.
STAGE_MIX: tuple[tuple[Stage, int], ...] = (
    (Stage.LEAD, 4),
    (Stage.QUALIFIED, 2),
    (Stage.AUDIT, 2),
    (Stage.PROPOSAL, 2),
    (Stage.ACTIVE, 3),
    (Stage.ONGOING, 5),
    (Stage.PAUSED, 2),
    (Stage.COMPLETED, 50),
    (Stage.LOST, 30),
)
# The checklist is applied when an engagement becomes active.
WITH_CHECKLIST = {Stage.ACTIVE, Stage.ONGOING, Stage.COMPLETED}
PAUSED_FROM = (Stage.QUALIFIED, Stage.AUDIT, Stage.PROPOSAL, Stage.ACTIVE)
TITLES = (
    "Platform modernisation",
    "AI support agent to production",
    "Retrieval quality review",
    "Data platform",
    "Cloud cost review",
    "Security baseline",
    "Hiring plan for engineering",
    "Mobile app rebuild",
    "Fraud model in production",
    "Search relevance",
    "Due diligence",
)


def _stage(world: World) -> Stage:
    stages, weights = zip(*STAGE_MIX, strict=True)
    return world.rng.choices(stages, weights)[0]


def _engagement(world: World, pk: int, index: int) -> SeededEngagement:
    rng = world.rng
    stage = _stage(world)
    paused_from = rng.choice(PAUSED_FROM).value if stage == Stage.PAUSED else ""
    working = stage in (Stage.ACTIVE, Stage.PAUSED, Stage.ONGOING)
    if stage == Stage.LEAD:
        created = world.ago(0, 30)
    elif stage in (Stage.COMPLETED, Stage.LOST):
        created = world.ago(60, 5 * 365)
    else:
        created = world.ago(20, 180 if working else 90)
    # Moved into its stage somewhere between its creation and now (days ago for active
    # work: the week-one checklist is still running).
    if stage == Stage.ACTIVE:
        changed = world.ago(0, 12)
    elif stage == Stage.LEAD:
        changed = created
    else:
        changed = created + (world.now - created) * rng.uniform(0.1, 0.9)
    changed = max(changed, created)
    start = None
    if stage in WITH_CHECKLIST or paused_from == Stage.ACTIVE:
        start = timezone.localdate(changed if stage == Stage.ACTIVE else created) + (
            datetime.timedelta(days=rng.randint(0, 7))
        )
        start = min(start, world.today)
    org = index % len(world.organization_ids)
    return SeededEngagement(
        pk=pk,
        kind=Engagement.Kind.AI if rng.random() < 0.4 else Engagement.Kind.GENERIC,
        stage=stage,
        paused_from=paused_from,
        created_at=created,
        stage_changed_at=changed,
        start_date=start,
        lead_id=rng.choice(world.operator_ids),
        contact_id=world.member_ids[org][0],
    )


def engagements_write(world: World, cursor: Any) -> None:
    """The engagements, shared out over the organisations, and the timeline events that brought
    each to its stage."""
    n = world.sizes.engagements
    first_id = reserve_ids(cursor, Engagement, n)
    columns = [
        "id",
        "organization_id",
        "title",
        "kind",
        "kind_confirmed",
        "stage",
        "paused_from",
        "lead_id",
        "contact_id",
        "start_date",
        "stage_changed_at",
        "version",
        "created_at",
        "updated_at",
    ]

    def rows() -> Iterable[tuple[Any, ...]]:
        for index in range(n):
            e = _engagement(world, first_id + index, index)
            world.engagements_written.append(e)
            org = world.organization_ids[index % len(world.organization_ids)]
            title = f"{world.rng.choice(TITLES)} {index // len(world.organization_ids) + 1}"
            moved = e.stage != Stage.LEAD
            yield (
                e.pk,
                org,
                title,
                e.kind,
                moved,
                e.stage.value,
                e.paused_from,
                e.lead_id,
                e.contact_id,
                e.start_date,
                e.stage_changed_at if moved else None,
                2 if moved else 1,
                e.created_at,
                e.stage_changed_at,
            )

    world.count(Engagement, copy_rows(cursor, Engagement, columns, rows()))

    def events() -> Iterable[tuple[Any, ...]]:
        created = ActivityEvent.Verb.CREATED.value
        moved = ActivityEvent.Verb.STAGE_CHANGED.value
        for e in world.engagements_written:
            yield (e.pk, e.lead_id, created, "{}", e.created_at)
            if e.stage != Stage.LEAD:
                before = e.paused_from or _before(e.stage)
                data = json.dumps({"from": before, "to": e.stage.value})
                yield (e.pk, e.lead_id, moved, data, e.stage_changed_at)

    columns = ["engagement_id", "actor_id", "verb", "data", "created_at"]
    world.count(ActivityEvent, copy_rows(cursor, ActivityEvent, columns, events()))


def _before(stage: Stage) -> str:
    """The stage an engagement most likely came from: the timeline's "from"."""
    return {
        Stage.QUALIFIED: Stage.LEAD,
        Stage.AUDIT: Stage.QUALIFIED,
        Stage.PROPOSAL: Stage.AUDIT,
        Stage.ACTIVE: Stage.PROPOSAL,
        Stage.ONGOING: Stage.ACTIVE,
        Stage.COMPLETED: Stage.ONGOING,
        Stage.LOST: Stage.QUALIFIED,
    }.get(stage, Stage.LEAD).value
