"""What every part of the scale seeder shares: the sizes asked for, the world being written (its
random source, its clock, the ids the later tables point at) and the two ways rows reach
PostgreSQL (ids reserved from a sequence, then COPY)."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.db import models
from django.utils import timezone

from cto.engagements.stages import Stage


@dataclass(frozen=True)
class ScaleSizes:
    """How much to add. The defaults are the issue's: 10k organisations, 100k engagements,
    1M checklist items, 100k audits."""

    organizations: int = 10_000
    engagements: int = 100_000
    checklist_items: int = 1_000_000
    audits: int = 100_000

    def scaled(self, factor: float) -> ScaleSizes:
        return ScaleSizes(**{name: max(1, round(n * factor)) for name, n in asdict(self).items()})


def sizes_from(factor: float, **explicit: int | None) -> ScaleSizes:
    """The issue's sizes times ``factor``, with any size given outright taking precedence."""
    chosen = {name: value for name, value in explicit.items() if value is not None}
    return replace(ScaleSizes().scaled(factor), **chosen)


@dataclass(frozen=True)
class ScaleReport:
    rows: dict[str, int]  # model label → rows added
    seconds: float


@dataclass
class SeededEngagement:
    """What the later tables need to know of an engagement written earlier."""

    pk: int
    kind: str
    stage: Stage
    paused_from: str
    created_at: datetime.datetime
    stage_changed_at: datetime.datetime
    start_date: datetime.date | None
    lead_id: int
    contact_id: int


class World:
    """The state the domains hand each other: each writes its tables and leaves here the ids
    the next one needs."""

    def __init__(self, sizes: ScaleSizes, rng: random.Random, now: datetime.datetime) -> None:
        self.sizes, self.rng, self.now = sizes, rng, now
        self.today = timezone.localdate(now)
        self.rows: dict[type[models.Model], int] = {}
        self.operator_ids: list[int] = []
        self.member_ids: list[list[int]] = []  # per organisation, its owner first
        self.organization_ids: list[int] = []
        self.engagements_written: list[SeededEngagement] = []
        # Not from the seed: a second run with the same seed adds the same shape under new
        # names (organisation names and emails are unique).
        self.tag = secrets.token_hex(3)

    def count(self, model: type[models.Model], n: int) -> None:
        self.rows[model] = self.rows.get(model, 0) + n

    def ago(self, low_days: float, high_days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(low_days, high_days))


def reserve_ids(cursor: Any, model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive ids taken from the table's sequence, so that rows can
    name each other before they are written."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
    return int(cursor.fetchone()[0]) - count + 1


def copy_rows(
    cursor: Any, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY ``rows`` (values in the order of ``columns``, the database's column names)."""
    table = model._meta.db_table
    names = ", ".join(f'"{column}"' for column in columns)
    written = 0
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written
