"""SVG charts drawn on the server: the same markup serves the page and the PDF.

Pure functions: data in, an SVG string out, every text escaped. Each chart has a <title> and a
<desc>; pages also show the numbers in a table beside it, so nothing is told by the picture alone.
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


def _label_lines(text: str, limit: int = 18) -> list[str]:
    """Split a long label at the space nearest its middle, so it fits beside the chart."""
    if len(text) <= limit or " " not in text:
        return [text]
    middle = len(text) // 2
    spaces = [i for i, char in enumerate(text) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def radar_chart(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    radius: int = 140,
    chart_id: str = "radar",
) -> str:
    """One spoke per axis (0 at the centre, 100 at the rim), one closed shape per series.
    A missing value is drawn at the centre and named in the description."""
    width, height = radius * 2 + 300, radius * 2 + 90
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
    for index, axis in enumerate(axes):
        x, y = point(index, 100)
        lx, ly = point(index, 112)
        anchor = "middle" if abs(lx - centre_x) < 1 else ("start" if lx > centre_x else "end")
        parts.append(
            f'<line class="axis" x1="{_num(centre_x)}" y1="{_num(centre_y)}" x2="{_num(x)}" '
            f'y2="{_num(y)}" stroke="#d0d7de"/>'
        )
        lines = _label_lines(axis)
        top = ly - (len(lines) - 1) * 7
        spans = "".join(
            f'<tspan x="{_num(lx)}" y="{_num(top + 14 * n)}">{escape(line)}</tspan>'
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
    width: int = 620,
    chart_id: str = "bars",
) -> str:
    """A horizontal bar per row (0-100); with ``previous``, a thin marker of the earlier value."""
    # Room for the longest label (about 6.6 px a character at 12 px), so none is clipped.
    row_height, top = 30, 10
    label_width = max(120, int(6.6 * max((len(label) for label, _ in rows), default=0)) + 16)
    width = max(width, label_width + 250)
    plot = width - label_width - 50
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
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        parts.append(
            f'<rect class="track" x="{label_width}" y="{y + 5}" width="{plot}" height="20" '
            'fill="#f5f7fa"/>'
        )
        if value is not None:
            parts.append(
                f'<rect class="bar" x="{label_width}" y="{y + 5}" '
                f'width="{_num(plot * _clamp(value) / 100)}" height="20" fill="#0b5cad">'
                f"<title>{escape(label)}: {_num(value)}</title></rect>"
            )
        if previous is not None and previous[index] is not None:
            before = previous[index] or 0.0
            x = label_width + plot * _clamp(before) / 100
            parts.append(
                f'<rect class="previous" x="{_num(x - 1.5)}" y="{y + 1}" width="3" height="28" '
                f'fill="#1b1f24"><title>{escape(label)}, before: {_num(before)}</title></rect>'
            )
        shown = _num(value) if value is not None else "n/a"
        parts.append(
            f'<text x="{label_width + plot + 8}" y="{y + 15}" font-size="12" '
            f'dominant-baseline="middle">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
