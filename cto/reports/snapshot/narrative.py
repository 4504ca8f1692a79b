"""The operator's text as a report version freezes it: each part's Markdown turned into
sanitised HTML here, once, with the next steps and who wrote it when. Present in every
snapshot, empty when nothing is written, so the templates ask one question: is there text?"""

from __future__ import annotations

import datetime
from typing import Any

from cto.engagements.models import Engagement
from cto.reports import markup
from cto.reports.models import ReportNarrative
from cto.reports.snapshot.formats import day

EMPTY: dict[str, Any] = {
    "written": False,
    "summary": "",
    "findings": "",
    "risks": "",
    "next_steps": [],
    "written_by": None,
    "written_on": None,
}


def narrative_part(engagement: Engagement, kind: str) -> dict[str, Any]:
    narrative = (
        ReportNarrative.objects.select_related("updated_by")
        .filter(engagement=engagement, kind=kind)
        .first()
    )
    if narrative is None or not narrative.is_written:
        return dict(EMPTY)
    return {
        "written": True,
        "summary": markup.to_html(narrative.summary),
        "findings": markup.to_html(narrative.findings),
        "risks": markup.to_html(narrative.risks),
        "next_steps": [
            {
                "action": step["action"],
                "owner": step["owner"],
                "due": day(datetime.date.fromisoformat(step["due"])),
            }
            for step in narrative.next_steps
        ],
        "written_by": str(narrative.updated_by) if narrative.updated_by else None,
        "written_on": day(narrative.updated_at),
    }
