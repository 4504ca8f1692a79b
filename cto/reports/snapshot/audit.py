"""The latest locked audit as a report shows it: scores, bands, charts, red flags with why they
fired, what to work on first, the NIST and Cisco roll-ups, and the progress since the audit
before it."""

from __future__ import annotations

from typing import Any

from cto.audits.models import Audit
from cto.audits.selectors import answers_of, audit_result
from cto.engagements.models import Engagement
from cto.reports.snapshot.formats import day, print_chart


def latest_locked_audit(engagement: Engagement) -> Audit | None:
    return (
        engagement.audits.filter(status=Audit.Status.LOCKED)
        .with_template()
        .order_by("-number")
        .first()
    )


def audit_part(engagement: Engagement, *, notes: bool = False) -> dict[str, Any] | None:
    """None when no audit is locked yet. With ``notes``, the answers that carry a note or an
    evidence link, in the template's order."""
    audit = latest_locked_audit(engagement)
    if audit is None:
        return None
    answers = answers_of(audit)
    result = audit_result(audit=audit, answers=answers)
    score = result.score
    band = score.band
    part: dict[str, Any] = {
        "number": audit.number,
        "template": str(audit.template_version),
        "template_title": result.template.title,
        "locked": day(audit.locked_at),
        "previous": result.previous.number if result.previous else None,
        "overall": score.overall,
        "band": band.label if band else None,
        "band_summary": band.summary if band else "",
        "answered": score.answered,
        "total": score.total,
        "dimensions": [
            {
                "title": d.dimension.title,
                "weight": d.dimension.weight,
                "score": d.score,
                "summary": d.dimension.summary,
                "weak": d.score is not None and d.score < result.template.weak_below,
            }
            for d in score.dimensions
        ],
        "weak_below": result.template.weak_below,
        "nist": [{"label": r.label, "score": r.score} for r in score.nist],
        "cisco": [{"label": r.label, "score": r.score} for r in score.cisco],
        "flags": [
            {
                "title": f.rule.title,
                "why": f.rule.why,
                "because": list(f.because),
                "first_step": f.rule.first_step,
            }
            for f in result.flags
        ],
        "recommendations": [
            {"dimension": r.dimension.title, "score": r.score, "text": r.dimension.recommendation}
            for r in result.recommendations[:5]
        ],
        "deltas": [
            {
                "label": d.label,
                "before": d.before,
                "after": d.after,
                "change": d.change,
            }
            for d in result.deltas
        ],
        "radar_svg": print_chart(result.radar_svg),
        "bars_svg": print_chart(result.bars_svg),
    }
    if notes:
        part["notes"] = [
            {
                "dimension": dimension.title,
                "question": question.text,
                "answer": "Not applicable"
                if answer.not_applicable
                else f"{answer.level}: {question.levels[answer.level or 0]}",
                "note": answer.note,
                "evidence_url": answer.evidence_url,
            }
            for dimension in result.template.dimensions
            for question in dimension.questions
            if (answer := answers.get(question.id)) is not None
            and (answer.note or answer.evidence_url)
        ]
    return part
