"""Reads of receipts: the one a user may download, and the plan's traces as the page draws
them (from the spans kept with each receipt: the file is never read again for a page)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.shortcuts import get_object_or_404

from cto.aiplan.models import AIPlan
from cto.receipts import waterfall
from cto.receipts.models import Receipt
from cto.receipts.results import Span, Trace
from cto.users.models import User

NARROW_WIDTH = 300  # a phone's column, as the audit charts draw for it (12 px labels at 375 px)


def receipt_get(*, user: User, plan_pk: int, pk: int) -> Receipt:
    """A receipt of a plan ``user`` may see; 404 for any other id."""
    return get_object_or_404(
        Receipt.objects.for_user(user).select_related("plan", "gate"), pk=pk, plan_id=plan_pk
    )


def trace_of(receipt: Receipt) -> Trace:
    """The trace as the adapter read it, rebuilt from the kept spans."""
    return Trace(
        format="otlp",
        adapter_version=receipt.adapter_version,
        tool=receipt.tool,
        tool_version=receipt.tool_version,
        spans=tuple(Span(**span) for span in receipt.spans),
    )


@dataclass(frozen=True)
class TraceView:
    receipt: Receipt

    @cached_property
    def trace(self) -> Trace:
        return trace_of(self.receipt)

    @cached_property
    def rows(self) -> tuple[waterfall.Row, ...]:
        return waterfall.waterfall_rows(self.trace)

    @cached_property
    def svg(self) -> str:
        return waterfall.waterfall(self.trace, title=f"Trace {self.receipt.filename}")

    @cached_property
    def narrow_svg(self) -> str:
        return waterfall.waterfall(
            self.trace,
            title=f"Trace {self.receipt.filename}",
            width=NARROW_WIDTH,
            chart_id="waterfall-narrow",
        )


def plan_traces(*, plan: AIPlan) -> tuple[list[Receipt], TraceView | None]:
    """The traces kept on the plan, newest first (without their spans), and the newest one
    that holds spans, to draw: two queries whether there are none or many."""
    traces = list(
        Receipt.objects.filter(plan=plan, gate=None)
        .defer("spans", "failing_cases")
        .select_related("uploaded_by")
    )
    drawn = Receipt.objects.filter(plan=plan, gate=None).exclude(format="").first()
    return traces, TraceView(drawn) if drawn else None
