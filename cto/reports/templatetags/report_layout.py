"""Long typed notes in the PDF's tables: `{{ note|clamped }}` in the row, the whole note after
the table (`{{ audit.notes|long_notes }}`, `{{ checklist.items|long_evidence }}`).

A table row never breaks across pages (report.css), so a row as tall as a page would leave the
page before it nearly blank. A note may hold 4000 characters, a page's worth in a narrow column:
the row shows its first NOTE_LIMIT characters and says where the rest is, and the whole note is
printed after the table as paragraphs, which break across pages like any text."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

# About twelve lines of the evidence column, fifteen of the audit's note column: a row holding
# one stays under a third of a page.
NOTE_LIMIT = 600


def _is_long(text: str) -> bool:
    return len(text) > NOTE_LIMIT


@register.filter
def is_long(text: str) -> bool:
    return _is_long(text or "")


@register.filter
def clamped(text: str) -> str:
    """The note's start, cut at the last space before NOTE_LIMIT characters, with an ellipsis;
    the whole note when it is short."""
    text = text or ""
    if not _is_long(text):
        return text
    cut = text[:NOTE_LIMIT]
    space = cut.rfind(" ")
    return (cut[:space] if space > NOTE_LIMIT // 2 else cut).rstrip() + "…"


@register.filter
def long_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit's note rows whose note is clamped in its table."""
    return [row for row in rows if _is_long(row.get("note") or "")]


@register.filter
def long_evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(item, note) for each evidence note clamped in the checklist's table, in table order."""
    return [
        {"item": item, "text": evidence["text"]}
        for item in items
        for evidence in item["evidence"]
        if not evidence.get("url") and _is_long(evidence.get("text") or "")
    ]
