"""The intake as a report shows it: the recommendation, the decision path that led to it, what
week one delivers and the scope comparison, with the tree version it was answered on."""

from __future__ import annotations

from typing import Any

from cto.engagements.models import Engagement
from cto.intake import first_call, screens
from cto.intake.models import IntakeResponse
from cto.intake.selectors import intake_call_policy
from cto.reports.snapshot.formats import day


def intake_part(engagement: Engagement) -> dict[str, Any] | None:
    """None when the engagement has no intake, or one that never reached an outcome."""
    response = IntakeResponse.objects.with_version().filter(engagement=engagement).first()
    if response is None:
        return None
    version = response.tree_version
    tree = version.parsed()
    walk = response.walk()
    if walk.outcome is None:
        return None
    highlighted = walk.highlighted_rows
    steps = list(walk.steps)
    path = []
    for index, (step, answer) in enumerate(zip(steps, screens.read_back(walk), strict=True)):
        following = steps[index + 1].question.prompt if index + 1 < len(steps) else None
        path.append(
            {
                "question": step.question.prompt,
                "answer": step.answer_text,
                "reasons": list(answer.reasons),
                # The answer read back to the prospect, naming its question (the summary PDF).
                "said": answer.said,
                "next": following or walk.outcome.title,
            }
        )
    return {
        "tree": f"{version.tree.slug} v{version.number}",
        "tree_title": version.tree.title,
        "tree_version": version.number,
        "outcome": walk.outcome.title,
        "outcome_key": walk.outcome.key,
        "summary": walk.outcome.summary,
        "week_one": list(walk.outcome.week_one),
        "path": path,
        "scope": [
            {
                "area": row.area,
                "generic": row.generic,
                "ai": row.ai,
                "relevant": row.id in highlighted,
            }
            for row in tree.scope_rows
        ],
        "contact": {
            "name": response.contact_name,
            "email": response.contact_email,
            "company": response.company,
            "role": response.role,
        },
        "submitted": day(response.submitted_at),
        # The reply the thanks page promised, so the summary made at submission says it too.
        "reply_by": day(first_call.reply_by(response.submitted_at, intake_call_policy()))
        if response.submitted_at
        else None,
    }
