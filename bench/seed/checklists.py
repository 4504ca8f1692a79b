"""A checklist on every engagement that became active, its items done up to about today."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from bench.seed.engagements import WITH_CHECKLIST
from bench.seed.world import SeededEngagement, World, copy_rows, reserve_ids
from cto.checklists import definition as checklist_definition
from cto.checklists.models import Checklist, ChecklistItem
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage


def checklists_write(
    world: World, cursor: Any, version_pk: int, spec: checklist_definition.ChecklistSpec
) -> None:
    """A checklist on every engagement that became active, sharing the items between them;
    the template's items first, then items added by hand when there are more to place."""
    owners = [e for e in world.engagements_written if e.stage in WITH_CHECKLIST or e.start_date]
    if not owners:
        return
    first_id = reserve_ids(cursor, Checklist, len(owners))
    columns = ["id", "engagement_id", "template_version_id", "created_at", "updated_at"]
    rows = [
        (first_id + i, e.pk, version_pk, e.stage_changed_at, e.stage_changed_at)
        for i, e in enumerate(owners)
    ]
    world.count(Checklist, copy_rows(cursor, Checklist, columns, rows))
    per, extra = divmod(world.sizes.checklist_items, len(owners))
    specs = {kind: spec.items_for(kind) for kind in Engagement.Kind.values}

    def items() -> Iterable[tuple[Any, ...]]:
        for i, e in enumerate(owners):
            kind_specs = specs[e.kind]
            for position in range(per + (1 if i < extra else 0)):
                yield _item(world, first_id + i, e, position, kind_specs)

    columns = [
        "checklist_id",
        "key",
        "section",
        "title",
        "done_when",
        "owner_side",
        "owner_id",
        "due_day",
        "position",
        "status",
        "status_reason",
        "effective_date",
        "done_by_id",
        "done_at",
        "dropped_reason",
        "version",
        "settled_by",
    ]
    world.count(ChecklistItem, copy_rows(cursor, ChecklistItem, columns, items()))
    Checklist.objects.filter(
        pk__gte=first_id, pk__lt=first_id + len(owners)
    ).refresh_earliest_open_day()


def _item(
    world: World,
    checklist_pk: int,
    e: SeededEngagement,
    position: int,
    specs: list[checklist_definition.ItemSpec],
) -> tuple[Any, ...]:
    rng = world.rng
    if position < len(specs):
        s = specs[position]
        key, section, title, done_when = s.key, s.section, s.title, s.done_when
        side, due_day, settled_by = s.owner, s.due_day, s.settled_by
    else:
        key, section = "", "Added during the engagement"
        title = f"Follow-up {position - len(specs) + 1}"
        done_when = "The follow-up agreed at the weekly review is done and written down"
        side, due_day = rng.choice(("practice", "client")), rng.randint(1, 10)
        settled_by = ""
    due = checklist_definition.due_date(e.start_date, due_day)
    status = _item_status(world, e, due)
    reason = ""
    if status == ChecklistItem.Status.BLOCKED:
        reason = "Waiting on the client for access."
    elif status == ChecklistItem.Status.NOT_APPLICABLE:
        reason = "Does not apply to this client."
    done = status == ChecklistItem.Status.DONE and due is not None
    done_at = (
        timezone.make_aware(datetime.datetime.combine(due, datetime.time(16)))
        if done and due
        else None
    )
    owner = e.contact_id if side == "client" and rng.random() < 0.5 else None
    return (
        checklist_pk,
        key,
        section,
        title,
        done_when,
        side,
        owner,
        due_day,
        position,
        status.value,
        reason,
        due if done else None,
        e.lead_id if done else None,
        done_at,
        "",
        1,
        settled_by,
    )


def _item_status(
    world: World, e: SeededEngagement, due: datetime.date | None
) -> ChecklistItem.Status:
    """Closed work is finished; ongoing work has the odd straggler; active work is done
    up to about today, with some of it late or blocked."""
    roll = world.rng.random()
    status = ChecklistItem.Status
    if due is None:
        return status.TODO
    if e.stage == Stage.COMPLETED:
        return status.NOT_APPLICABLE if roll < 0.05 else status.DONE
    if e.stage == Stage.ONGOING:
        return status.IN_PROGRESS if roll < 0.01 else status.DONE
    if due < world.today:
        if roll < 0.7:
            return status.DONE
        if roll < 0.75:
            return status.BLOCKED
        return status.IN_PROGRESS if roll < 0.85 else status.TODO
    return status.IN_PROGRESS if roll < 0.25 else status.TODO
