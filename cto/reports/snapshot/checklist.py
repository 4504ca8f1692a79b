"""The week-one checklist as the report shows it: each live item with its status, owner, due
date and the evidence behind it (links, notes, file names; never a file's content)."""

from __future__ import annotations

import datetime
from typing import Any

from cto.checklists import definition as checklist_definition
from cto.checklists.models import Checklist, Evidence
from cto.engagements.models import Engagement
from cto.reports.snapshot.formats import day


def _evidence(evidence: Evidence) -> dict[str, str]:
    if evidence.kind == Evidence.Kind.LINK:
        # As typed: whether it is printed as a link is the PDF template's to decide
        # (cto.reports.links), so that a stored snapshot is re-rendered by today's rule.
        return {"kind": "link", "text": evidence.url, "url": evidence.url}
    if evidence.kind == Evidence.Kind.FILE:
        return {"kind": "file", "text": evidence.original_name, "url": ""}
    return {"kind": "note", "text": evidence.note, "url": ""}


def checklist_part(engagement: Engagement, *, today: datetime.date) -> dict[str, Any] | None:
    checklist = (
        Checklist.objects.filter(engagement=engagement)
        .select_related("template_version__template")
        .defer("template_version__definition")
        .first()
    )
    if checklist is None:
        return None
    items = list(
        checklist.items.live()
        .select_related("owner", "checklist__engagement")
        .prefetch_related("evidence")
    )
    progress = checklist_definition.progress(item.status for item in items)
    rows = []
    for item in items:
        due = item.due_date()
        rows.append(
            {
                "section": item.section,
                "title": item.title,
                "status": item.get_status_display(),
                "status_key": item.status,
                "reason": item.status_reason,
                "owner": str(item.owner or item.get_owner_side_display()),
                "due": day(due),
                "overdue": due is not None
                and due < today
                and item.status not in checklist_definition.FINISHED,
                "done_on": day(item.effective_date),
                "evidence": [_evidence(evidence) for evidence in item.evidence.all()],
            }
        )
    return {
        "template": str(checklist.template_version),
        "finished": progress.finished,
        "total": progress.total,
        "percent": progress.percent,
        "overdue": sum(1 for row in rows if row["overdue"]),
        "blocked": sum(1 for item in items if item.status == item.Status.BLOCKED),
        "items": rows,
    }
