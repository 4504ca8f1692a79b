"""Everything a week-one report shows, gathered once into plain data.

The PDF is rendered from this snapshot alone, never from the live rows, so a report can be
re-rendered byte for byte, and every number in it traces to an input named in its provenance.
A section is present only when its data exists (no intake, no audit: no such section).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone

from cto.engagements.models import Engagement


def _intake(engagement: Engagement) -> dict[str, Any] | None:
    from cto.intake.models import IntakeResponse

    response = IntakeResponse.objects.with_version().filter(engagement=engagement).first()
    if response is None:
        return None
    tree = response.tree_version.parsed()
    walk = response.walk()
    if walk.outcome is None:
        return None
    highlighted = walk.highlighted_rows
    return {
        "tree": f"{response.tree_version.tree.slug} v{response.tree_version.number}",
        "outcome": walk.outcome.title,
        "summary": walk.outcome.summary,
        "week_one": list(walk.outcome.week_one),
        "path": [
            {
                "question": step.question.prompt,
                "answer": step.answer_text,
                "reasons": [choice.reason for choice in step.chosen if choice.reason],
            }
            for step in walk.steps
        ],
        "scope": [
            {
                "area": row.area,
                "generic": row.generic,
                "ai": row.ai,
                "relevant": row.id in highlighted,
            }
            for row in tree.scope_rows
        ],
    }


def _audit(engagement: Engagement) -> dict[str, Any] | None:
    from cto.audits.models import Audit
    from cto.audits.selectors import audit_result

    audit = (
        engagement.audits.filter(status=Audit.Status.LOCKED)
        .with_template()
        .order_by("-number")
        .first()
    )
    if audit is None:
        return None
    result = audit_result(audit=audit)
    score = result.score
    return {
        "number": audit.number,
        "template": str(audit.template_version),
        "overall": score.overall,
        "band": score.band.label if score.band else None,
        "answered": score.answered,
        "total": score.total,
        "dimensions": [
            {"title": d.dimension.title, "weight": d.dimension.weight, "score": d.score}
            for d in score.dimensions
        ],
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
            {"label": d.label, "before": d.before, "after": d.after, "change": d.change}
            for d in result.deltas
        ],
        "radar_svg": result.radar_svg,
        "bars_svg": result.bars_svg,
    }


def _plan(engagement: Engagement) -> dict[str, Any] | None:
    from cto.aiplan.selectors import plan_export

    plan = getattr(engagement, "ai_plan_or_none", None)
    return plan_export(plan=plan) if plan is not None else None


def _checklist(engagement: Engagement) -> dict[str, Any] | None:
    from cto.checklists import template as checklist_template
    from cto.checklists.models import Checklist

    checklist = (
        Checklist.objects.filter(engagement=engagement)
        .select_related("template_version__template")
        .first()
    )
    if checklist is None:
        return None
    items = list(
        checklist.items.live()
        .select_related("owner", "checklist__engagement")
        .prefetch_related("evidence")
    )
    progress = checklist_template.progress(item.status for item in items)
    return {
        "template": str(checklist.template_version),
        "finished": progress.finished,
        "total": progress.total,
        "items": [
            {
                "section": item.section,
                "title": item.title,
                "status": item.get_status_display(),
                "owner": str(item.owner or item.get_owner_side_display()),
                "due": due.isoformat() if (due := item.due_date()) else None,
                "evidence": [e.url or e.original_name or e.note[:80] for e in item.evidence.all()],
            }
            for item in items
        ],
    }


def _quote(engagement: Engagement) -> dict[str, Any] | None:
    from cto.pricing.models import Quote

    quote = (
        engagement.quotes.exclude(status=Quote.Status.SUPERSEDED)
        .prefetch_related("options__lines", "options__tier")
        .order_by("-number", "-revision")
        .first()
    )
    if quote is None:
        return None
    options = []
    for option in quote.options.all():
        totals = option.totals()
        options.append(
            {
                "label": option.get_label_display(),
                "tier": option.tier.name,
                "monthly": str(totals.monthly),
                "one_off": str(totals.one_off),
                "recommended": option.label == quote.recommended_label,
            }
        )
    return {
        "number": f"{quote.number}.{quote.revision}",
        "status": quote.display_status,
        "currency": quote.currency,
        "reason": quote.recommendation_reason,
        "options": options,
    }


def week_one(*, engagement: Engagement, generator: str) -> dict[str, Any]:
    """The snapshot of the week-one report."""
    engagement = Engagement.objects.select_related("organization", "lead").get(pk=engagement.pk)
    snapshot: dict[str, Any] = {
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
        "generator": generator,
        "engagement": {
            "id": engagement.pk,
            "title": engagement.title,
            "organization": engagement.organization.name,
            "kind": engagement.get_kind_display(),
            "stage": engagement.get_stage_display(),
            "lead": str(engagement.lead) if engagement.lead else None,
            "start_date": engagement.start_date.isoformat() if engagement.start_date else None,
        },
        "intake": _intake(engagement),
        "audit": _audit(engagement),
        "plan": _plan(engagement),
        "checklist": _checklist(engagement),
        "quote": _quote(engagement),
    }
    snapshot["provenance"] = {
        "tree": (snapshot["intake"] or {}).get("tree"),
        "audit_template": (snapshot["audit"] or {}).get("template"),
        "checklist_template": (snapshot["checklist"] or {}).get("template"),
        "quote": (snapshot["quote"] or {}).get("number"),
        "generator": generator,
    }
    return snapshot


BUILDERS = {"week_one": week_one}


def gather(*, kind: str, engagement: Engagement, generator: str) -> dict[str, Any]:
    """The snapshot of a report of ``kind``: every input it shows, read once, as plain data."""
    return BUILDERS[kind](engagement=engagement, generator=generator)


def digest(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
