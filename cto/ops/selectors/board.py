"""The pipeline board: engagements by stage, with counts and the monthly value of accepted
quotes, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Subquery, Value
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
    recurring revenue. Two queries: the engagements, and the revenue's sum.

    The engagements are one UNION ALL of a part per stage: the stage's latest few by the index
    `engagement_board_stage_since` (a LIMIT that stops early, however long the stage's tail),
    each row carrying its stage's count from a subquery PostgreSQL runs once per part. Ranking
    every engagement with window functions instead sorted the whole table on every visit
    (1.4 s at 100k engagements)."""
    since = Coalesce("stage_changed_at", "created_at")
    shown_rows = Engagement.objects.select_related(
        "organization", "lead", "intake_response"
    ).annotate(in_stage_since=since)
    parts = []
    for stage in BOARD_STAGES:
        total = (
            Engagement.objects.filter(stage=stage)
            .order_by()
            .values("stage")
            .annotate(n=Count("*"))
            .values("n")
        )
        limit = CLOSED_SHOWN if stage in CLOSED_STAGES else OPEN_SHOWN
        parts.append(
            shown_rows.filter(stage=stage)
            .annotate(stage_total=Coalesce(Subquery(total), Value(0)))
            .order_by(F("in_stage_since").desc(), F("id").desc())[:limit]
        )
    shown: dict[str, list[Engagement]] = {stage.value: [] for stage in BOARD_STAGES}
    totals: dict[str, int] = {}
    for engagement in parts[0].union(*parts[1:], all=True):
        shown[engagement.stage].append(engagement)  # latest first, within each stage
        totals[engagement.stage] = engagement.stage_total
    columns = [
        StageColumn(
            stage=stage,
            count=totals.get(stage.value, 0),
            engagements=shown[stage.value] if stage in CLOSED_STAGES else shown[stage.value][::-1],
        )
        for stage in BOARD_STAGES
    ]
    return PipelineBoard(columns=columns, mrr=sorted(monthly_recurring_revenue().items()))
