"""A trace drawn as a waterfall: one row per span in tree order, a bar from its start to its end
on the trace's common time axis. Pure: a Trace in, rows and an SVG string out, every text
escaped; drawn like cto/core/charts.py (12-unit labels, the chart as wide as its column, a
<title> and a <desc>), and the same rows are the table a page or the PDF prints beside it.

Rows are depth first: roots (spans without a parent, or whose parent is not in the file) by
start time, each followed by its children by start time. Only what the adapter kept is shown:
names, durations, model, token counts, tool, evaluation score and status.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from cto.core.charts import CHAR_WIDTH, LINE_HEIGHT
from cto.receipts.results import Span, Trace

ROW_HEIGHT = 34
AXIS_HEIGHT = 22
# Past a few levels the label would start halfway across: deeper spans keep the last indent
# (their depth is still in the row and the table).
INDENT = 12
MAX_INDENT_LEVELS = 8
# A trace may hold 10,000 spans; a drawing that tall helps no one. The rows past it are in the
# table, and the chart says how many it left out.
MAX_DRAWN_ROWS = 200
BAR_COLOUR = "#0b5cad"
ERROR_COLOUR = "#cf222e"
GRID_COLOUR = "#d0d7de"
TRACK_COLOUR = "#f5f7fa"

# Not allowed in XML 1.0, so not in an SVG: the adapter removes them; a Trace made elsewhere
# may hold them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Row:
    """One span as the waterfall and its table show it; times in ms from the trace's start."""

    trace_id: str
    span_id: str
    depth: int
    name: str
    offset_ms: float
    duration_ms: float
    status: Literal["unset", "ok", "error"]
    model: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    tool: str = ""
    score: str = ""
    error_type: str = ""
    orphan: bool = False  # its parent is named but not in the file

    @property
    def is_error(self) -> bool:
        return self.status == "error"

    @property
    def details(self) -> str:
        """Error (first, so a label cut to a narrow chart still says it), duration, model and
        tokens, tool and score, as the chart's label writes them."""
        return self._details(with_duration=True)

    @property
    def starts(self) -> str:
        """When it starts, from the trace's start, as the axis writes times: "920 ms", "1.19 s"."""
        return duration_text(self.offset_ms)

    @property
    def takes(self) -> str:
        return duration_text(self.duration_ms)

    @property
    def facts(self) -> str:
        """The details without the duration, for a table that has a column for it."""
        return self._details(with_duration=False)

    def _details(self, *, with_duration: bool) -> str:
        parts = []
        if self.is_error:
            parts.append(f"error: {self.error_type}" if self.error_type else "error")
        if with_duration:
            parts.append(duration_text(self.duration_ms))
        if self.model:
            parts.append(self.model)
        if self.input_tokens is not None or self.output_tokens is not None:
            parts.append(
                f"{_count(self.input_tokens)} in / {_count(self.output_tokens)} out tokens"
            )
        if self.tool:
            parts.append(f"tool {self.tool}")
        if self.score:
            parts.append(f"score {self.score}")
        if self.orphan:
            parts.append("parent not in file")
        return " \u00b7 ".join(parts)


def waterfall_rows(trace: Trace) -> tuple[Row, ...]:
    """Every span of the trace as a row, depth first by start time."""
    if not trace.spans:
        return ()
    origin = min(span.start_ns for span in trace.spans)
    return tuple(
        _row(span, depth, origin, orphan) for span, depth, orphan in _tree_order(trace.spans)
    )


def waterfall(
    trace: Trace,
    *,
    title: str = "Trace: spans over time",
    width: int = 640,
    chart_id: str = "waterfall",
    max_rows: int = MAX_DRAWN_ROWS,
) -> str:
    """The SVG: the time axis with its ticks on top, then a labelled bar per row (the first
    ``max_rows``). Labels sit above their bars, cut to the chart's width (the whole text is in
    the bar's <title> and the table), so the chart stays as wide as its column."""
    rows = waterfall_rows(trace)
    drawn = rows[:max_rows]
    left_out = len(rows) - len(drawn)
    total_ms = max((row.offset_ms + row.duration_ms for row in rows), default=0.0)
    scale = width / max(total_ms, 0.001)
    # One line per label where they all fit; else each row's details go on a line of their own.
    two_lines = any(len(_one_line(row)) > _room(width, row) for row in drawn)
    row_height = ROW_HEIGHT + (LINE_HEIGHT if two_lines else 0)
    height = AXIS_HEIGHT + row_height * len(drawn) + (row_height if left_out else 0) + 4
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart waterfall" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(_description(rows, total_ms, left_out))}</desc>',
    ]
    for tick in _ticks(total_ms):
        x = tick * scale
        anchor = "start" if x < 24 else ("end" if x > width - 24 else "middle")
        parts.append(
            f'<line class="grid" x1="{_num(x)}" y1="{AXIS_HEIGHT - 4}" x2="{_num(x)}" '
            f'y2="{height}" stroke="{GRID_COLOUR}"/>'
            f'<text class="tick" x="{_num(x)}" y="{AXIS_HEIGHT - 10}" font-size="12" '
            f'text-anchor="{anchor}">{duration_text(tick)}</text>'
        )
    for index, row in enumerate(drawn):
        y = AXIS_HEIGHT + index * row_height
        indent = INDENT * min(row.depth, MAX_INDENT_LEVELS)
        if two_lines:
            label = (
                f'<tspan x="{indent}" y="{y + 10}">{_text(_fit(row.name, _room(width, row)))}'
                f'</tspan><tspan x="{indent}" y="{y + 10 + LINE_HEIGHT}">'
                f"{_text(_fit(row.details, _room(width, row)))}</tspan>"
            )
        else:
            label = _text(_one_line(row))
        y += LINE_HEIGHT if two_lines else 0
        x = row.offset_ms * scale
        # A span too short to see still gets a sliver, kept inside the chart.
        bar = min(max(row.duration_ms * scale, 2.0), width)
        x = min(x, width - bar)
        colour = ERROR_COLOUR if row.is_error else BAR_COLOUR
        dashes = f' stroke="{ERROR_COLOUR}" stroke-dasharray="3 2"' if row.is_error else ""
        parts.append(
            f'<g class="span{" span-error" if row.is_error else ""}">'
            f'<text class="span-label" x="{indent}" y="{y + 10}" font-size="12" '
            f'dominant-baseline="middle">{label}</text>'
            f'<rect class="track" x="0" y="{y + 18}" width="{width}" height="12" '
            f'fill="{TRACK_COLOUR}"/>'
            f'<rect class="bar" x="{_num(x)}" y="{y + 18}" width="{_num(bar)}" height="12" '
            f'fill="{colour}"{dashes}><title>{_text(f"{row.name}: {row.details}")}</title></rect>'
            "</g>"
        )
    if left_out:
        y = AXIS_HEIGHT + len(drawn) * row_height
        parts.append(
            f'<text class="span-label" x="0" y="{y + 14}" font-size="12" '
            f'dominant-baseline="middle">{left_out:,} more spans: see the table</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def duration_text(ms: float) -> str:
    """``870 ms`` under a second, ``4.82 s`` from one, ``0.25 ms`` under a millisecond."""
    if ms >= 1000:
        return f"{_num(ms / 1000, 2)} s"
    if ms >= 1 or ms == 0:
        return f"{_num(ms, 1)} ms"
    return f"{_num(ms, 3)} ms"


def _one_line(row: Row) -> str:
    return f"{row.name} \u2014 {row.details}"


def _room(width: int, row: Row) -> int:
    """How many characters of a 12-unit label fit beside the row's indent."""
    return max(int((width - INDENT * min(row.depth, MAX_INDENT_LEVELS)) / CHAR_WIDTH), 8)


def _tree_order(spans: Sequence[Span]) -> list[tuple[Span, int, bool]]:
    """(span, depth, orphan) depth first. Iterative, so a chain 10,000 spans deep is drawn
    too; a span caught in a cycle of parents (no root above it) starts a tree of its own."""

    def by_start(span: Span) -> tuple[int, str, str]:
        return (span.start_ns, span.name, span.span_id)

    known = {(span.trace_id, span.span_id) for span in spans}
    children: dict[tuple[str, str], list[Span]] = {}
    roots: list[Span] = []
    for span in spans:
        parent = (span.trace_id, span.parent_id)
        if span.parent_id and parent in known:
            children.setdefault(parent, []).append(span)
        else:
            roots.append(span)
    ordered: list[tuple[Span, int, bool]] = []
    seen: set[tuple[str, str]] = set()
    waiting = sorted(spans, key=by_start)
    for start in sorted(roots, key=by_start) + waiting:
        if (start.trace_id, start.span_id) in seen:
            continue
        stack = [(start, 0)]
        while stack:
            span, depth = stack.pop()
            key = (span.trace_id, span.span_id)
            if key in seen:
                continue
            seen.add(key)
            orphan = bool(span.parent_id) and (span.trace_id, span.parent_id) not in known
            ordered.append((span, depth, orphan))
            stack.extend(
                (child, depth + 1) for child in sorted(children.get(key, ()), key=by_start)[::-1]
            )
    return ordered


def _row(span: Span, depth: int, origin: int, orphan: bool) -> Row:
    attributes = span.attributes
    model = attributes.get("gen_ai.response.model") or attributes.get("gen_ai.request.model")
    score = attributes.get("gen_ai.evaluation.score.value")
    label = attributes.get("gen_ai.evaluation.score.label")
    score_text = ""
    if isinstance(score, int | float) and not isinstance(score, bool):
        score_text = _num(score, 3) + (f" ({label})" if label else "")
    elif label:
        score_text = str(label)
    return Row(
        trace_id=span.trace_id,
        span_id=span.span_id,
        depth=depth,
        name=span.name,
        offset_ms=(span.start_ns - origin) / 1_000_000,
        duration_ms=span.duration_ms,
        status=span.status,
        model=str(model or ""),
        input_tokens=_tokens(attributes.get("gen_ai.usage.input_tokens")),
        output_tokens=_tokens(attributes.get("gen_ai.usage.output_tokens")),
        tool=str(attributes.get("gen_ai.tool.name") or ""),
        score=score_text,
        error_type=str(attributes.get("error.type") or ""),
        orphan=orphan,
    )


def _description(rows: Sequence[Row], total_ms: float, left_out: int) -> str:
    errors = [row.name for row in rows if row.is_error]
    traces = len({row.trace_id for row in rows})
    text = f"{len(rows)} spans over {duration_text(total_ms)}"
    if traces > 1:
        text += f" in {traces} traces"
    text += "; " + (f"{len(errors)} in error: " + ", ".join(errors) if errors else "no errors")
    slowest = max(rows, key=lambda row: row.duration_ms, default=None)
    if slowest is not None:
        text += f"; longest: {slowest.name}, {duration_text(slowest.duration_ms)}"
    if left_out:
        text += f"; the first {len(rows) - left_out} drawn"
    return text + "."


def _ticks(total_ms: float) -> list[float]:
    """Round times (1, 2 or 5 times a power of ten) from 0 to the end, four to eight of them."""
    if total_ms <= 0:
        return [0.0]
    step = 10 ** math.floor(math.log10(total_ms / 4))
    for factor in (1, 2, 5, 10):
        if total_ms / (step * factor) <= 7:
            step *= factor
            break
    return [step * n for n in range(int(total_ms / step + 1e-9) + 1)]


def _tokens(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _text(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


def _num(value: float, places: int = 1) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
