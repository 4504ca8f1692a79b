"""Readiness audits on the engagements that went through one, with a sample of answers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from bench.seed.world import World, copy_rows, reserve_ids
from cto.audits.models import Audit, AuditAnswer
from cto.engagements.stages import Stage

# An engagement has had an audit once it went past `audit` (an AI one almost always did).
AUDITED = {Stage.AUDIT, Stage.PROPOSAL, Stage.ACTIVE, Stage.ONGOING, Stage.COMPLETED}
# A locked audit keeps a sample of its answers: the pages measured never read them, and all of
# them would triple the rows for nothing.
LOCKED_AUDIT_ANSWERS = 4


def audits_write(world: World, cursor: Any, version_pk: int, questions: list[str]) -> None:
    """Audits shared out over the engagements that went through an audit, numbered from 1;
    all locked but the latest of an engagement still at the audit stage."""
    audited = [
        e
        for e in world.engagements_written
        if e.stage in AUDITED or e.paused_from in (Stage.PROPOSAL, Stage.ACTIVE)
    ]
    if not audited:
        return
    per, extra = divmod(world.sizes.audits, len(audited))
    total = world.sizes.audits
    first_id = reserve_ids(cursor, Audit, total)
    answers: list[tuple[Any, ...]] = []

    def rows() -> Iterable[tuple[Any, ...]]:
        pk = first_id
        for i, e in enumerate(audited):
            count = per + (1 if i < extra else 0)
            span = e.stage_changed_at - e.created_at
            for number in range(1, count + 1):
                opened = e.created_at + span * (number / (count + 1))
                is_open = e.stage == Stage.AUDIT and number == count
                locked = None if is_open else opened + datetime.timedelta(days=3)
                status = Audit.Status.OPEN if is_open else Audit.Status.LOCKED
                shown = (
                    questions[: world.rng.randint(0, len(questions) // 2)]
                    if is_open
                    else questions[:LOCKED_AUDIT_ANSWERS]
                )
                yield (
                    pk,
                    e.pk,
                    version_pk,
                    number,
                    status.value,
                    e.lead_id,
                    locked,
                    None if is_open else e.lead_id,
                    opened,
                    locked or opened,
                    (locked or opened) if shown else None,
                )
                for question in shown:
                    level = world.rng.randint(0, 4)
                    answers.append(
                        (pk, question, level, False, "", "", e.contact_id, locked or opened, 1)
                    )
                pk += 1

    columns = [
        "id",
        "engagement_id",
        "template_version_id",
        "number",
        "status",
        "opened_by_id",
        "locked_at",
        "locked_by_id",
        "created_at",
        "updated_at",
        "last_answered_at",
    ]
    world.count(Audit, copy_rows(cursor, Audit, columns, rows()))
    columns = [
        "audit_id",
        "question",
        "level",
        "not_applicable",
        "note",
        "evidence_url",
        "answered_by_id",
        "updated_at",
        "version",
    ]
    world.count(AuditAnswer, copy_rows(cursor, AuditAnswer, columns, answers))
