"""The pipeline board: engagements by stage, with counts and the monthly value of accepted
quotes, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Case, Count, F, Value, When
from django.db.models.functions import Coalesce, RowNumber

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
# Far more than a practice runs at once; a cap only so that a bulk import cannot make the page
# unusable. Past it, too, the column links to the admin's list.
OPEN_SHOWN = 50


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
    recurring revenue. Three queries at most: the engagements (counted and ranked per stage by
    window functions, so a closed stage's long tail is never loaded), and the revenue's two."""
    since = Coalesce("stage_changed_at", "created_at")
    rows = (
        Engagement.objects.select_related("organization", "lead")
        .annotate(in_stage_since=since)
        .annotate(
            stage_total=models.Window(Count("id"), partition_by=[F("stage")]),
            stage_rank=models.Window(
                RowNumber(),
                partition_by=[F("stage")],
                order_by=[F("in_stage_since").desc(), F("id").desc()],
            ),
        )
        .filter(
            stage_rank__lte=Case(
                When(stage__in=[stage.value for stage in CLOSED_STAGES], then=Value(CLOSED_SHOWN)),
                default=Value(OPEN_SHOWN),
            )
        )
        .order_by("in_stage_since", "id")
    )
    shown: dict[str, list[Engagement]] = {stage.value: [] for stage in BOARD_STAGES}
    totals: dict[str, int] = {}
    for engagement in rows:
        shown[engagement.stage].append(engagement)
        totals[engagement.stage] = engagement.stage_total
    columns = [
        StageColumn(
            stage=stage,
            count=totals.get(stage.value, 0),
            engagements=shown[stage.value][::-1] if stage in CLOSED_STAGES else shown[stage.value],
        )
        for stage in BOARD_STAGES
    ]
    return PipelineBoard(columns=columns, mrr=sorted(monthly_recurring_revenue().items()))
