"""Long typed notes in the PDF's tables: `{{ note|clamped }}` (`|clamped:"narrow"` in a status
column) in the row, the whole note after the table (`{{ audit.notes|long_notes }}`,
`{{ checklist.items|long_evidence }}`, `{{ plan.failure_modes|long_reasons }}`).

A table row never breaks across pages (report.css), so a row as tall as a page would leave the
page before it nearly blank. A note may hold 4000 characters, a page's worth in a narrow column:
the row shows its first NOTE_LIMIT characters and says where the rest is, and the whole note is
printed after the table as paragraphs, which break across pages like any text."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

# How much of a note a row shows, by the column it sits in: about twelve lines of the evidence
# column or fifteen of the audit's note column ("wide"); about twelve lines of a 28 mm status
# column ("narrow"). A row holding either stays under a third of a page.
LIMITS = {"wide": 600, "narrow": 240}
NOTE_LIMIT = LIMITS["wide"]


def _is_long(text: str, column: str = "wide") -> bool:
    return len(text) > LIMITS[column]


@register.filter
def is_long(text: str, column: str = "wide") -> bool:
    return _is_long(text or "", column)


@register.filter
def clamped(text: str, column: str = "wide") -> str:
    """The note's start, cut at the last space before the column's limit, with an ellipsis; the
    whole note when it is short."""
    text = text or ""
    if not _is_long(text, column):
        return text
    limit = LIMITS[column]
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


@register.filter
def long_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit's note rows whose note is clamped in its table."""
    return [row for row in rows if _is_long(row.get("note") or "")]


@register.filter
def long_evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(item, text) for each note clamped in the checklist's table, in table order: evidence
    notes, then the reason given for the item's status (in the narrow status column)."""
    notes = []
    for item in items:
        for evidence in item["evidence"]:
            if not evidence.get("url") and _is_long(evidence.get("text") or ""):
                notes.append({"item": item, "text": evidence["text"]})
        if _is_long(item.get("reason") or "", "narrow"):
            notes.append({"item": item, "text": item["reason"]})
    return notes


@register.filter
def long_reasons(modes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failure modes whose status reason is clamped in the narrow status column."""
    return [mode for mode in modes if _is_long(mode.get("status_reason") or "", "narrow")]
