"""Everything a report shows, gathered once into plain data.

The PDF is rendered from this snapshot alone, never from the live rows, so a report can be
re-rendered byte for byte, and every number in it traces to an input named in its provenance.
Each kind has a builder; a section is present only when its data exists, and a kind whose
subject does not exist yet (no intake, no locked audit, no quote) is refused with a message.

Every value is text, numbers, lists and mappings; dates and money are written out once here
(``formats``), so rendering depends on nothing but the snapshot.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from cto.brand.selectors import brand_current
from cto.engagements.models import Engagement
from cto.reports.models import Report
from cto.reports.snapshot.audit import audit_part
from cto.reports.snapshot.checklist import checklist_part
from cto.reports.snapshot.formats import day
from cto.reports.snapshot.intake import intake_part
from cto.reports.snapshot.narrative import narrative_part
from cto.reports.snapshot.next_steps import next_steps
from cto.reports.snapshot.plan import plan_part
from cto.reports.snapshot.quote import latest_quote, proposed_tier, quote_part

__all__ = ["BUILDERS", "digest", "gather"]


def _header(kind: str, engagement: Engagement, generator: str) -> tuple[Engagement, dict[str, Any]]:
    """The engagement read once with what every cover shows, and the snapshot's envelope."""
    engagement = Engagement.objects.select_related("organization", "lead").get(pk=engagement.pk)
    now = timezone.now().replace(microsecond=0)
    return engagement, {
        "kind": Report.Kind(kind).value,
        "title": Report.Kind(kind).label,
        "generated_at": now.isoformat(),
        "generated_on": day(now),
        "generator": generator,
        # The practice as it was when the report was asked for: a version keeps its brand.
        "brand": brand_current().as_snapshot(),
        "engagement": {
            "id": engagement.pk,
            "title": engagement.title,
            "organization": engagement.organization.name,
            "kind": engagement.get_kind_display(),
            "ai": engagement.kind == Engagement.Kind.AI,
            "stage": engagement.get_stage_display(),
            "lead": str(engagement.lead) if engagement.lead else None,
            "start_date": day(engagement.start_date),
        },
    }


def _inputs(**versions: str | None) -> list[dict[str, str]]:
    """The provenance rows: each input that was used, with its version."""
    labels = {
        "tree": "Decision tree",
        "audit": "Audit",
        "audit_template": "Audit template",
        "plan": "AI plan",
        "checklist_template": "Checklist template",
        "quote": "Quote",
        "pricing_tiers": "Pricing tiers",
    }
    return [{"input": labels[key], "version": value} for key, value in versions.items() if value]


def build_week_one(*, engagement: Engagement, generator: str) -> dict[str, Any]:
    """The week-one deliverable: every part that exists, with the proposal and next steps."""
    engagement, snapshot = _header(Report.Kind.WEEK_ONE, engagement, generator)
    intake = intake_part(engagement)
    audit = audit_part(engagement)
    plan = plan_part(engagement)
    checklist = checklist_part(engagement, today=timezone.localdate())
    quote_row = latest_quote(engagement)
    quote = quote_part(quote_row) if quote_row else None
    snapshot |= {
        "intake": intake,
        "audit": audit,
        "plan": plan,
        "checklist": checklist,
        "quote": quote,
        "proposed": proposed_tier(quote) if quote else None,
        "next_steps": next_steps(
            ai=snapshot["engagement"]["ai"],
            audit=audit,
            plan=plan,
            checklist=checklist,
            quote=quote,
        ),
    }
    snapshot["provenance"] = _inputs(
        tree=intake["tree"] if intake else None,
        audit=f"Audit {audit['number']}, locked {audit['locked']}" if audit else None,
        audit_template=audit["template"] if audit else None,
        plan=f"Version {plan['version']}" if plan else None,
        checklist_template=checklist["template"] if checklist else None,
        quote=f"Quote {quote['number']} ({quote['status']})" if quote else None,
        pricing_tiers=quote["tiers"] if quote else None,
    )
    return snapshot


def build_intake_summary(*, engagement: Engagement, generator: str) -> dict[str, Any]:
    """One or two pages for the prospect: the recommendation, why, and what week one brings."""
    engagement, snapshot = _header(Report.Kind.INTAKE_SUMMARY, engagement, generator)
    intake = intake_part(engagement)
    if intake is None:
        raise ValidationError(
            "There is no finished intake to summarise yet: the prospect has not reached a "
            "recommendation."
        )
    snapshot["intake"] = intake
    snapshot["provenance"] = _inputs(tree=intake["tree"])
    return snapshot


def build_audit(*, engagement: Engagement, generator: str) -> dict[str, Any]:
    """The latest locked audit, with its notes and the progress since the one before."""
    engagement, snapshot = _header(Report.Kind.AUDIT, engagement, generator)
    part = audit_part(engagement, notes=True)
    if part is None:
        raise ValidationError(
            "There is no locked audit to report on yet. Lock the audit once every question is "
            "answered, then ask for the report again."
        )
    snapshot["audit"] = part
    snapshot["provenance"] = _inputs(
        audit=f"Audit {part['number']}, locked {part['locked']}",
        audit_template=part["template"],
    )
    return snapshot


def build_quote(*, engagement: Engagement, generator: str) -> dict[str, Any]:
    """The latest quote that was not replaced, with its acceptance once it is signed."""
    engagement, snapshot = _header(Report.Kind.QUOTE, engagement, generator)
    row = latest_quote(engagement)
    if row is None:
        raise ValidationError(
            "There is no sent quote to put in a report yet: send the quote to the client first "
            "(a draft stays with the practice)."
        )
    part = quote_part(row)
    snapshot["quote"] = part
    snapshot["provenance"] = _inputs(
        quote=f"Quote {part['number']} ({part['status']})", pricing_tiers=part["tiers"]
    )
    return snapshot


BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    Report.Kind.WEEK_ONE: build_week_one,
    Report.Kind.INTAKE_SUMMARY: build_intake_summary,
    Report.Kind.AUDIT: build_audit,
    Report.Kind.QUOTE: build_quote,
}


def gather(
    *, kind: str, engagement: Engagement, generator: str, release: str = Report.Release.DRAFT
) -> dict[str, Any]:
    """The snapshot of a report of ``kind``: every input it shows, read once, as plain data,
    with the operator's text for the kind and who the version is for (``release``: the draft
    mark and notices come from it). ValidationError, with a message for the person asking,
    when its subject does not exist."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValidationError(f"There is no report of the kind “{kind[:40]}”.")
    snapshot = builder(engagement=engagement, generator=generator)
    snapshot["release"] = Report.Release(release).value
    snapshot["narrative"] = narrative_part(engagement, kind)
    return snapshot


def digest(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
