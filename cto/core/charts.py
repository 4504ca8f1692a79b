"""SVG charts drawn on the server: the same markup serves the page and the PDF.

Pure functions: data in, an SVG string out, every text escaped. Each chart has a <title> and a
<desc>; pages also show the numbers in a table beside it, so nothing is told by the picture alone.

A chart's text is 12 units in its viewBox, and a browser shrinks the whole drawing to fit its
column: a 580-wide chart in a 390 px column wrote its labels at 8 px. So each chart is drawn
about as wide as the column it is shown in (two side by side on a 64rem page: about 470 px),
its label room measured from its own labels instead of a fixed margin, and the web shows it at
1:1. The PDF places the same drawing in its wider column, where nothing shrinks either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # 0-100 per axis; None where there is no score
    css_class: str = "series-current"


def _clamp(value: float) -> float:
    return max(0.0, min(value, 100.0))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# About the width of a character of a 12 px sans-serif label, on the generous side: room is
# measured with it, so a long label is never clipped.
CHAR_WIDTH = 6.6
LINE_HEIGHT = 14


def _label_lines(text: str, limit: int = 16) -> list[str]:
    """Wrap a label into lines of at most ``limit`` characters where it has spaces (a longer
    word keeps its own line), so the room beside a chart stays narrow."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def radar_chart(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    radius: int = 110,
    chart_id: str = "radar",
) -> str:
    """One spoke per axis (0 at the centre, 100 at the rim), one closed shape per series.
    A missing value is drawn at the centre and named in the description."""
    wrapped = [_label_lines(axis) for axis in axes]
    # Beside the rim: the label's gap (12 % of the radius) and its longest line.
    room = radius * 0.12 + CHAR_WIDTH * max((len(line) for ls in wrapped for line in ls), default=0)
    width = math.ceil(2 * (radius + room) + 8)
    height = radius * 2 + 30 + LINE_HEIGHT * max((len(ls) for ls in wrapped), default=1) * 2
    centre_x, centre_y = width / 2, height / 2
    count = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * _clamp(value) / 100
        return centre_x + distance * math.cos(angle), centre_y + distance * math.sin(angle)

    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">'
        + escape(
            "; ".join(
                f"{s.label}: "
                + ", ".join(
                    f"{axis} {_num(v) if v is not None else 'not scored'}"
                    for axis, v in zip(axes, s.values, strict=True)
                )
                for s in series
            )
        )
        + "</desc>",
    ]
    for ring in (25, 50, 75, 100):
        ring_points = " ".join(
            f"{_num(x)},{_num(y)}" for x, y in (point(i, ring) for i in range(count))
        )
        parts.append(f'<polygon class="grid" points="{ring_points}" fill="none" stroke="#d0d7de"/>')
    for index, (axis, lines) in enumerate(zip(axes, wrapped, strict=True)):
        x, y = point(index, 100)
        lx, ly = point(index, 112)
        anchor = "middle" if abs(lx - centre_x) < 1 else ("start" if lx > centre_x else "end")
        parts.append(
            f'<line class="axis" x1="{_num(centre_x)}" y1="{_num(centre_y)}" x2="{_num(x)}" '
            f'y2="{_num(y)}" stroke="#d0d7de"/>'
        )
        # Centred on its anchor; a label above or below the chart grows away from it.
        top = ly - (len(lines) - 1) * LINE_HEIGHT / 2
        if anchor == "middle":
            top += (len(lines) - 1) * LINE_HEIGHT / 2 * (1 if ly > centre_y else -1)
        spans = "".join(
            f'<tspan x="{_num(lx)}" y="{_num(top + LINE_HEIGHT * n)}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(
            f'<text class="axis-label" text-anchor="{anchor}" font-size="12" '
            f'dominant-baseline="middle" aria-label="{escape(axis)}">{spans}</text>'
        )
    for item in series:
        shape = " ".join(
            f"{_num(x)},{_num(y)}" for x, y in (point(i, v or 0) for i, v in enumerate(item.values))
        )
        parts.append(
            f'<polygon class="{escape(item.css_class)}" points="{shape}">'
            f"<title>{escape(item.label)}</title></polygon>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    previous: Sequence[float | None] | None = None,
    width: int = 440,
    chart_id: str = "bars",
) -> str:
    """A horizontal bar per row (0-100), its label above it and its value after it; with
    ``previous``, a thin marker of the earlier value. Labels above the bars keep the chart as
    narrow as its column whatever their length."""
    row_height, top, value_room = 44, 4, 44
    width = max(width, math.ceil(CHAR_WIDTH * max((len(label) for label, _ in rows), default=0)))
    plot = width - value_room
    height = top * 2 + row_height * len(rows)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        parts.append(
            f'<text class="bar-label" x="0" y="{y + 8}" font-size="12" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        parts.append(
            f'<rect class="track" x="0" y="{y + 18}" width="{plot}" height="18" fill="#f5f7fa"/>'
        )
        if value is not None:
            parts.append(
                f'<rect class="bar" x="0" y="{y + 18}" '
                f'width="{_num(plot * _clamp(value) / 100)}" height="18" fill="#0b5cad">'
                f"<title>{escape(label)}: {_num(value)}</title></rect>"
            )
        if previous is not None and previous[index] is not None:
            before = previous[index] or 0.0
            x = min(max(plot * _clamp(before) / 100, 1.5), plot - 1.5)
            parts.append(
                f'<rect class="previous" x="{_num(x - 1.5)}" y="{y + 15}" width="3" height="24" '
                f'fill="#1b1f24"><title>{escape(label)}, before: {_num(before)}</title></rect>'
            )
        shown = _num(value) if value is not None else "n/a"
        parts.append(
            f'<text x="{plot + 8}" y="{y + 27}" font-size="12" '
            f'dominant-baseline="middle">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
