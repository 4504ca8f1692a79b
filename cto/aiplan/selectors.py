"""Reads of AI plans, scoped to who is asking: the page's data in a fixed number of queries,
and the JSON export."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from cto.aiplan import ranking
from cto.aiplan.models import (
    AIPlan,
    Candidate,
    CellScore,
    Criterion,
    EvalGate,
    FailureMode,
    FailureModeProposal,
    PlanComment,
)
from cto.core.charts import bar_chart
from cto.receipts.models import Receipt
from cto.receipts.selectors import TraceView, plan_traces
from cto.users.models import User


def plan_get(*, user: User, pk: int) -> AIPlan:
    """A plan of an engagement ``user`` may see; 404 for any other id."""
    return get_object_or_404(
        AIPlan.objects.for_user(user).select_related(
            "engagement__organization", "chosen", "fallback"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class PlanView:
    plan: AIPlan
    criteria: list[Criterion]
    candidates: list[Candidate]
    cells: dict[tuple[int, int], CellScore]
    ranking: ranking.Ranking
    gates: list[EvalGate]
    failing_blockers: list[EvalGate]
    unmeasured_blockers: list[EvalGate]
    review_blockers: list[EvalGate]  # blocking, the latest receipt needs review: not passing
    failure_modes: list[FailureMode]
    proposals: list[FailureModeProposal]  # waiting for an operator, oldest first
    comments: list[PlanComment]

    look_first_choices = FailureMode.LOOK_FIRST_CHOICES

    @cached_property
    def _traces(self) -> tuple[list[Receipt], TraceView | None]:
        # Read when the page draws them (two queries), not for the API's or the report's plan.
        return plan_traces(plan=self.plan)

    @property
    def traces(self) -> list[Receipt]:
        """The traces kept on the plan, newest first."""
        return self._traces[0]

    @property
    def trace(self) -> TraceView | None:
        """The newest readable trace, drawn."""
        return self._traces[1]

    def cell(self, candidate: Candidate, criterion: Criterion) -> CellScore | None:
        return self.cells.get((candidate.pk, criterion.pk))

    @property
    def grid(self) -> list[tuple[Criterion, list[CellScore | None], int | None]]:
        """The matrix by rows: each criterion with its cell for every candidate and the row's
        best score by the criterion's direction (None when no score stands out)."""
        rows = []
        for criterion in self.criteria:
            cells = [self.cell(candidate, criterion) for candidate in self.candidates]
            best = ranking.best_score(
                (cell.score for cell in cells if cell is not None), criterion.as_ranking()
            )
            rows.append((criterion, cells, best))
        return rows

    @property
    def ranking_chart(self) -> str:
        """The weighted totals as bars, best first, each named by the candidate's name alone
        (its provider is in the matrix), so the chart stays as narrow as its column."""
        names = {str(candidate.pk): candidate.name for candidate in self.candidates}
        return bar_chart(
            [(names[row.candidate.key], row.total) for row in self.ranking.rows],
            title="Weighted total by candidate (0 to 100)",
            # Names are short: drawn for a phone's column, it keeps 12 px labels there too.
            width=300,
            chart_id="ranking-chart",
        )


def plan_view(*, plan: AIPlan) -> PlanView:
    criteria = list(plan.criteria.all())
    candidates = list(plan.candidates.all())
    cells = {
        (cell.candidate_id, cell.criterion_id): cell
        for cell in CellScore.objects.filter(candidate__plan=plan)
    }
    # Each gate with its latest receipt (its verdict) and every receipt (its history): two
    # queries however many receipts; the spans, which only traces on the plan draw, stay out.
    gates = list(
        plan.gates.select_related("latest_receipt").prefetch_related(
            Prefetch(
                "receipts",
                queryset=Receipt.objects.defer("spans").select_related("uploaded_by"),
            )
        )
    )
    modes = {str(m.pk): m for m in plan.failure_modes.all()}
    ordered = ranking.by_risk(
        [ranking.Risk(key, m.title, m.likelihood, m.impact) for key, m in modes.items()]
    )
    blockers = [g for g in gates if g.blocks_release]
    return PlanView(
        plan=plan,
        criteria=criteria,
        candidates=candidates,
        cells=cells,
        ranking=ranking.rank(
            [c.as_ranking() for c in candidates],
            [c.as_ranking() for c in criteria],
            {(str(a), str(b)): cell.score for (a, b), cell in cells.items()},
        ),
        gates=gates,
        failing_blockers=[g for g in blockers if g.verdict == "fail"],
        unmeasured_blockers=[g for g in blockers if g.verdict == "no result"],
        review_blockers=[g for g in blockers if g.verdict == "needs review"],
        failure_modes=[modes[risk.key] for risk in ordered],
        proposals=list(
            plan.failure_mode_proposals.filter(
                status=FailureModeProposal.Status.PROPOSED
            ).select_related("proposed_by")
        ),
        comments=list(plan.comments.select_related("author")),
    )


def _number(value: Any) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def plan_export(*, plan: AIPlan) -> dict[str, Any]:
    """The whole plan as plain data, for the client's own tooling and the week-one report."""
    view = plan_view(plan=plan)
    by_pk = {str(c.pk): c for c in view.candidates}
    return {
        "engagement": {"id": plan.engagement_id, "title": plan.engagement.title},
        "version": plan.version,
        "criteria": [
            {
                "key": c.key,
                "label": c.label,
                "weight": c.weight,
                "direction": "higher" if c.higher_is_better else "lower",
            }
            for c in view.criteria
        ],
        "candidates": [
            {
                "name": candidate.name,
                "provider": candidate.provider,
                "snapshot": candidate.snapshot,
                "scores": {
                    criterion.key: {
                        "score": cell.score,
                        "measured_value": _number(cell.measured_value),
                        "unit": cell.unit,
                        "source_url": cell.source_url,
                    }
                    for criterion in view.criteria
                    if (cell := view.cell(candidate, criterion)) is not None
                },
            }
            for candidate in view.candidates
        ],
        "ranking": [
            {
                "candidate": by_pk[row.candidate.key].name,
                "total": row.total,
                "position": row.position,
                "tied": row.tied,
            }
            for row in view.ranking.rows
        ],
        "sensitivity": view.ranking.sensitivity,
        "chosen": plan.chosen.name if plan.chosen else None,
        "fallback": plan.fallback.name if plan.fallback else None,
        "rationale": plan.rationale,
        "eval_gates": [
            {
                "name": g.name,
                "behaviour": g.behaviour,
                "dataset": {
                    "description": g.dataset_description,
                    "size": g.dataset_size,
                    "location": g.dataset_location,
                },
                "metric": g.metric,
                "comparison": g.comparison,
                "threshold": _number(g.threshold),
                "cadence": g.cadence,
                "blocks_release": g.blocks_release,
                "owner": g.owner,
                "latest": {
                    "value": _number(g.latest_value),
                    "date": g.latest_at.isoformat() if g.latest_at else None,
                    "run_url": g.latest_run_url,
                    "verdict": g.verdict,
                },
            }
            for g in view.gates
        ],
        "failure_modes": [
            {
                "title": m.title,
                "look_first": m.look_first,
                "likelihood": m.likelihood,
                "impact": m.impact,
                "risk": m.risk,
                "detection": m.detection,
                "mitigation": m.mitigation,
                "owner": m.owner,
                "status": m.status,
                "status_reason": m.status_reason,
                "blocks_production": m.blocks_production,
            }
            for m in view.failure_modes
        ],
    }
