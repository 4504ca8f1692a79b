"""The week-one report's next steps, derived from the other parts of its snapshot. A pure
module: plain data in, sentences out, nothing read from anywhere else."""

from __future__ import annotations

from typing import Any

MOST = 3  # of each kind of step (flags, gates, blocked items), so the list stays a list


def _quote_steps(quote: dict[str, Any] | None) -> list[str]:
    if quote is None:
        return ["We send you a quote of up to three options, each with its price and terms."]
    number, status = quote["number"], quote["status"]
    if status == "Sent":
        recommended = quote["recommended"]
        return [
            f"Accept quote {number} by {quote['valid_until']}"
            + (f"; we recommend the {recommended} option." if recommended else ".")
        ]
    if status == "Expired":
        return [f"Quote {number} expired on {quote['valid_until']}: ask us for a fresh one."]
    if status == "Draft":
        return [f"We send you quote {number} once it is final."]
    return []


def _audit_steps(audit: dict[str, Any] | None) -> list[str]:
    if audit is None:
        return [
            "Run the readiness audit: it scores where you stand and names what blocks production."
        ]
    steps = [f"{flag['first_step']} (red flag: {flag['title']})" for flag in audit["flags"][:MOST]]
    if not steps and audit["recommendations"]:
        first = audit["recommendations"][0]
        steps.append(f"{first['text']} ({first['dimension']}, the weakest dimension)")
    return steps


def _plan_steps(plan: dict[str, Any] | None, *, ai: bool) -> list[str]:
    if plan is None:
        return ["Start the AI plan: candidate models, eval gates and failure modes."] if ai else []
    steps = []
    if not plan["chosen"]:
        steps.append("Choose a model and its fallback from the matrix.")
    steps += [
        f"Fix what fails the release gate “{name}”: it blocks release."
        for name in plan["blockers_failing"][:MOST]
    ]
    steps += [
        f"Measure the release gate “{name}”: it blocks release and has no result yet."
        for name in plan["blockers_unmeasured"][:MOST]
    ]
    return steps


def _checklist_steps(checklist: dict[str, Any] | None) -> list[str]:
    if checklist is None:
        return []
    blocked = [item for item in checklist["items"] if item["status_key"] == "blocked"]
    steps = [
        f"Unblock “{item['title']}”" + (f": {item['reason']}" if item["reason"] else ".")
        for item in blocked[:MOST]
    ]
    overdue = checklist["overdue"]
    open_items = checklist["total"] - checklist["finished"]
    if overdue:
        steps.append(
            f"Catch up on the {overdue} overdue checklist item{'s' if overdue != 1 else ''}."
        )
    elif open_items:
        steps.append(
            f"Finish the {open_items} open checklist item{'s' if open_items != 1 else ''}."
        )
    return steps


def next_steps(
    *,
    ai: bool,
    audit: dict[str, Any] | None,
    plan: dict[str, Any] | None,
    checklist: dict[str, Any] | None,
    quote: dict[str, Any] | None,
) -> list[str]:
    """What to do next, most pressing first: what blocks production (red flags, failing release
    gates), then the checklist, then the commercial step."""
    return [
        *_audit_steps(audit),
        *_plan_steps(plan, ai=ai),
        *_checklist_steps(checklist),
        *_quote_steps(quote),
    ]
