"""The pipeline board: engagements by stage, with counts and the monthly value of accepted
quotes, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F
from django.db.models.functions import Coalesce

from cto.engagements.models import Engagement
from cto.engagements.stages import PIPELINE, Stage
from cto.pricing.selectors import monthly_recurring_revenue

# --- Pipeline board ------------------------------------------------------------------------------

# The main line in order, then the two branches off it.
BOARD_STAGES: tuple[Stage, ...] = (*PIPELINE, Stage.PAUSED, Stage.LOST)
# Work there is over and the rows pile up year after year: the board shows the latest few and
# links to the admin's list for the rest.
CLOSED_STAGES = frozenset({Stage.COMPLETED, Stage.LOST})
CLOSED_SHOWN = 5
# More than a practice runs at once at any stage; a cap so that a bulk import (or years of
# leads) cannot make the page unusable: past it, too, the column links to the admin's list.
# At 50 a card a stage, the page rendered 360 cards at 100k engagements (200 ms of template);
# at 20, still 90 ms. Twelve fill a column on a laptop's screen, the longest waiting first.
OPEN_SHOWN = 12


@dataclass(frozen=True)
class StageColumn:
    stage: Stage
    count: int  # every engagement at the stage, shown or not
    engagements: list[Engagement]  # open stages: longest in the stage first; closed: latest first

    @property
    def closed(self) -> bool:
        return self.stage in CLOSED_STAGES

    @property
    def more(self) -> int:
        """How many the column does not show."""
        return self.count - len(self.engagements)


@dataclass(frozen=True)
class PipelineBoard:
    columns: list[StageColumn]
    mrr: list[tuple[str, Decimal]]  # per currency, from accepted quotes of running engagements

    @property
    def open_count(self) -> int:
        return sum(column.count for column in self.columns if not column.closed)


def pipeline_board() -> PipelineBoard:
    """Every stage in board order with its count and its engagements, and the monthly
    recurring revenue, in a fixed number of queries however many engagements there are: one
    per stage for the engagements it shows, one for every stage's count, one for the revenue.

    Why this shape. Each stage's query takes the stage's latest few through the index
    `engagement_board_stage_since`: a LIMIT that stops early, however long the stage's tail.
    One UNION ALL of those parts would save the round trips, but SQLite (the embedded default
    `make run` uses) refuses a LIMIT inside a compound statement, and a board that works on one
    database only is a bug; a query per stage runs on both. Ranking every engagement with
    window functions instead sorted the whole table on every visit (1.4 s at 100k
    engagements). The counts are one grouped query."""
    since = Coalesce("stage_changed_at", "created_at")
    shown_rows = Engagement.objects.select_related(
        "organization", "lead", "intake_response"
    ).order_by(since.desc(), F("id").desc())
    totals: dict[str, int] = dict(
        Engagement.objects.order_by()
        .values("stage")
        .annotate(n=Count("*"))
        .values_list("stage", "n")
    )
    columns = []
    for stage in BOARD_STAGES:
        closed = stage in CLOSED_STAGES
        latest = list(shown_rows.filter(stage=stage)[: CLOSED_SHOWN if closed else OPEN_SHOWN])
        columns.append(
            StageColumn(
                stage=stage,
                count=totals.get(stage.value, 0),
                engagements=latest if closed else latest[::-1],
            )
        )
    return PipelineBoard(columns=columns, mrr=sorted(monthly_recurring_revenue().items()))
