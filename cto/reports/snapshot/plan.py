"""The AI plan as the week-one report shows it: the model/vendor matrix with the chosen model
and its fallback, the eval gates and their status, the failure modes by risk."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cto.aiplan.models import AIPlan, FailureMode
from cto.aiplan.selectors import plan_view
from cto.engagements.models import Engagement
from cto.receipts import waterfall
from cto.receipts.models import Receipt
from cto.receipts.selectors import trace_of
from cto.reports.snapshot.formats import day, number, print_chart


def plan_part(engagement: Engagement) -> dict[str, Any] | None:
    plan = AIPlan.objects.select_related("chosen", "fallback").filter(engagement=engagement).first()
    if plan is None:
        return None
    view = plan_view(plan=plan)
    ranked = {row.candidate.key: row for row in view.ranking.rows}
    candidates = []
    for candidate in view.candidates:
        row = ranked.get(str(candidate.pk))
        candidates.append(
            {
                "name": candidate.name,
                "provider": candidate.provider,
                "version": candidate.snapshot,
                "notes": candidate.notes,
                "total": row.total if row else None,
                "position": row.position if row else None,
                "tied": row.tied if row else False,
                "chosen": candidate.pk == plan.chosen_id,
                "fallback": candidate.pk == plan.fallback_id,
            }
        )
    gates = [
        {
            "name": gate.name,
            "behaviour": gate.behaviour,
            "metric": gate.metric,
            "requirement": gate.requirement,
            "cadence": gate.get_cadence_display(),
            "blocks_release": gate.blocks_release,
            "owner": gate.owner,
            "latest": number(gate.latest_value),
            "latest_on": day(gate.latest_at),
            "verdict": gate.verdict,
            # Where the verdict comes from: "receipt" (a file, its source below), "claim" (a
            # result typed by hand, measured elsewhere, with its note) or "" (no result).
            "verdict_source": gate.verdict_source,
            "claim_note": gate.latest_note,
            "receipt": _receipt(gate.latest_receipt) if gate.verdict_source == "receipt" else None,
        }
        for gate in view.gates
    ]
    modes = [
        {
            "title": mode.title,
            "look_first": mode.get_look_first_display(),
            "likelihood": mode.likelihood,
            "impact": mode.impact,
            "risk": mode.risk,
            "mitigation": mode.mitigation,
            "owner": mode.owner,
            "status": mode.get_status_display(),
            "status_reason": mode.status_reason,
            "blocks_production": mode.blocks_production,
        }
        for mode in view.failure_modes
    ]
    verdicts = Counter(gate["verdict"] for gate in gates)
    statuses = Counter(mode["status"] for mode in modes)
    return {
        "version": plan.version,
        "chosen": str(plan.chosen) if plan.chosen else None,
        "fallback": str(plan.fallback) if plan.fallback else None,
        "rationale": plan.rationale,
        "sensitivity": view.ranking.sensitivity,
        "candidates": candidates,
        "matrix": [
            {
                "criterion": criterion.label,
                "weight": criterion.weight,
                "direction": "higher" if criterion.higher_is_better else "lower",
                "scores": [
                    cell.score if (cell := view.cell(candidate, criterion)) else None
                    for candidate in view.candidates
                ],
            }
            for criterion in view.criteria
        ],
        "eval_gates": gates,
        "failure_modes": modes,
        # The summary's figures, counted once here from the rows the tables print, so that the
        # report cannot state one count on its first page and show another in its tables.
        "gate_counts": {
            "pass": verdicts["pass"],
            "fail": verdicts["fail"],
            "no_result": verdicts["no result"],
            "needs_review": verdicts["needs review"],
            "blocking_not_passed": len(view.failing_blockers)
            + len(view.unmeasured_blockers)
            + len(view.review_blockers),
        },
        "failure_mode_counts": {
            "open": statuses[FailureMode.Status.OPEN.label],
            "mitigated": statuses[FailureMode.Status.MITIGATED.label],
            "accepted": statuses[FailureMode.Status.ACCEPTED.label],
        },
        "blockers_failing": [gate.name for gate in view.failing_blockers],
        "blockers_unmeasured": [gate.name for gate in view.unmeasured_blockers],
        "blockers_needing_review": [gate.name for gate in view.review_blockers],
        "receipt_count": sum(1 for gate in gates if gate["receipt"]),
        "trace": _trace(plan),
    }


def _receipt(receipt: Receipt | None) -> dict[str, Any] | None:
    """The file that decided the gate, as the receipts table prints it."""
    if receipt is None:
        return None
    return {
        "filename": receipt.filename,
        "tool": receipt.tool,
        "tool_version": receipt.tool_version,
        "sha256": receipt.sha256,
        "cases": receipt.cases,
        "passed": receipt.passed,
        "value": number(receipt.value),
        "outcome": receipt.outcome,
        "reason": receipt.reason,
        "summary": receipt.summary,
        "source": receipt.source,
        "created_on": day(receipt.created_at),
    }


def _trace(plan: AIPlan) -> dict[str, Any] | None:
    """The newest trace kept on the plan that could be read, drawn as its waterfall with the
    rows of its table: the week one's first trace, shown rather than claimed. Only the
    allow-listed span fields are kept with a receipt, so no prompt or completion reaches the
    report."""
    receipt = (
        Receipt.objects.filter(plan=plan, kind=Receipt.Kind.TRACE)
        .exclude(outcome=Receipt.Outcome.NEEDS_REVIEW)
        .order_by("-created_at", "-id")
        .first()
    )
    if receipt is None:
        return None
    trace = trace_of(receipt)
    rows = waterfall.waterfall_rows(trace)
    return {
        "receipt": _receipt(receipt),
        "spans": len(rows),
        "svg": print_chart(
            waterfall.waterfall(trace, title=f"Trace {receipt.filename}", width=640)
        ),
        "rows": [
            {
                "indent": min(row.depth, 4),
                "name": row.name,
                "start": row.starts,
                "duration": row.takes,
                "details": row.facts,
                "error": row.is_error,
            }
            for row in rows[: waterfall.MAX_DRAWN_ROWS]
        ],
    }
