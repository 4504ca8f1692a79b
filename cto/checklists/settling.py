"""Items that the app's own events settle: a template item waiting for an event (its
``settled_by``: an audit submitted, a quote accepted, the week-one report ready) is marked done
when the event reaches the engagement's timeline, with the event as its evidence. Called by the
timeline receiver (cto.checklists.receivers) and when a checklist is applied, for events that
came before it. Idempotent: a finished item is never touched, so a status set by hand (done
with other evidence, or not applicable) stays as it is."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import dateformat, timezone

from cto.checklists.models import Checklist, ChecklistItem, Evidence
from cto.engagements.models import ActivityEvent
from cto.engagements.services import activity_record

# The timeline verbs each settling event is recorded under (cto.checklists.definition).
VERBS = {
    "audit_submitted": ActivityEvent.Verb.AUDIT_LOCKED,
    "quote_accepted": ActivityEvent.Verb.QUOTE_ACCEPTED,
    "report_ready": ActivityEvent.Verb.REPORT_CHANGED,
    "trace_receipt": ActivityEvent.Verb.PLAN_CHANGED,
    "eval_receipt": ActivityEvent.Verb.PLAN_CHANGED,
    "failure_mode_confirmed": ActivityEvent.Verb.PLAN_CHANGED,
}
# Which report's readiness settles "report_ready": the final week-one report for the client.
# (Named by value: the checklists do not import the reports app, which reads every app.)
SETTLING_REPORT = {"kind": "week_one", "release": "final", "status": "ready"}


def settling_event(event: ActivityEvent) -> str | None:
    """Which settling event a timeline event is, if any (no query but for a report's "ready"
    event, whose report is read to see that it is the final week-one report)."""
    if event.verb == ActivityEvent.Verb.AUDIT_LOCKED:
        return "audit_submitted"
    if event.verb == ActivityEvent.Verb.QUOTE_ACCEPTED:
        return "quote_accepted"
    if event.verb == ActivityEvent.Verb.PLAN_CHANGED:
        return _plan_proof(event.data)
    # Only the event of its rendering, not a later download of the same ready report; the
    # step is read before the report, so that other report events cost no query.
    if event.verb == ActivityEvent.Verb.REPORT_CHANGED and event.data.get("step") == "ready":
        report = event.target
        if all(getattr(report, field, None) == value for field, value in SETTLING_REPORT.items()):
            return "report_ready"
    return None


def _plan_proof(data: dict[str, str]) -> str | None:
    """Which receipt an AI plan event is, from the facts it keeps (cto.aiplan.rows.record): a
    trace that could be read, an eval result that gave a verdict, a confirmed failure mode."""
    if data.get("step") == "failure_mode_confirmed":
        return "failure_mode_confirmed"
    if data.get("receipt") == "trace" and data.get("outcome") != "needs_review":
        return "trace_receipt"
    if data.get("receipt") == "eval" and data.get("outcome") in ("pass", "fail"):
        return "eval_receipt"
    return None


def settling_event_latest(*, engagement_id: int, kind: str) -> ActivityEvent | None:
    """The latest event on the engagement's timeline that settles ``kind``, if any."""
    events = ActivityEvent.objects.filter(engagement_id=engagement_id, verb=VERBS[kind])
    if VERBS[kind] == ActivityEvent.Verb.PLAN_CHANGED:  # most plan events are no receipt
        events = events.filter(Q(data__has_key="receipt") | Q(data__has_key="step"))
    for event in events.select_related("actor").order_by("-created_at", "-id"):
        if settling_event(event) == kind:
            return event
    return None


def evidence_note(event: ActivityEvent, kind: str) -> str:
    """The event in words, as the settled item's evidence: "Audit 2 submitted by Ada Lovell on
    5 December 2026"."""
    on = dateformat.format(timezone.localtime(event.created_at), "j F Y")
    by = f" by {event.actor}" if event.actor else ""
    target = event.target
    if kind == "audit_submitted":
        number = event.data.get("number")
        what = f"Audit {number} submitted" if number else "Audit submitted"
    elif kind == "quote_accepted":
        what = f"Quote {target.number}.{target.revision} accepted" if target else "Quote accepted"
    elif kind in ("trace_receipt", "eval_receipt"):
        facts = event.data
        what = f"Trace receipt {facts['file']} (sha256 {facts['sha256'][:12]}…) kept"
        if kind == "eval_receipt":
            what = (
                f"Eval receipt {facts['file']} (sha256 {facts['sha256'][:12]}…) for the gate "
                f"{facts['gate']}: {facts['outcome']}, {facts['summary']},"
            )
    elif kind == "failure_mode_confirmed":
        what = f"Failure mode “{event.data['title']}” confirmed into the register"
    else:
        what = f"{target.get_kind_display()} v{target.number} ready" if target else "Report ready"
    return f"{what}{by} on {on}"


def _settle(checklist_id: int, kind: str, event: ActivityEvent) -> list[ChecklistItem]:
    """Mark done the checklist's open items waiting for ``kind`` (the checklist's lock is
    held), each with the event as a note of evidence and the event's day as its date."""
    items = list(
        ChecklistItem.objects.open()
        .filter(checklist_id=checklist_id, settled_by=kind)
        .select_for_update(of=("self",))
        .select_related("checklist__engagement")
    )
    if not items:
        return []
    note = evidence_note(event, kind)
    for item in items:
        Evidence.objects.create(item=item, kind=Evidence.Kind.NOTE, note=note, added_by=event.actor)
        item.status, item.status_reason = ChecklistItem.Status.DONE, ""
        item.effective_date = timezone.localtime(event.created_at).date()
        item.done_by, item.done_at = event.actor, timezone.now()
        item.version += 1
        item.save()
        activity_record(
            engagement=item.checklist.engagement,
            actor=event.actor,
            verb=ActivityEvent.Verb.CHECKLIST_CHANGED,
            target=item,
            data={"change": f"{item.title}: marked done ({note})"},
        )
    Checklist.objects.filter(pk=checklist_id).refresh_earliest_open_day()
    return items


@transaction.atomic
def items_settle_by_event(*, event: ActivityEvent) -> list[ChecklistItem]:
    """Mark done the engagement's open checklist items that wait for this event, with it as
    their evidence and a timeline event each; nothing when the event settles nothing, the
    engagement has no checklist, or its items are finished already."""
    kind = settling_event(event)
    if kind is None:
        return []
    checklist_id = (
        Checklist.objects.select_for_update()
        .filter(engagement_id=event.engagement_id)
        .values_list("pk", flat=True)
        .first()
    )
    if checklist_id is None:
        return []
    return _settle(checklist_id, kind, event)


def items_settle_from_timeline(*, checklist: Checklist) -> list[ChecklistItem]:
    """Settle the checklist's open items whose event is already on the engagement's timeline
    (an audit submitted before the engagement became active), by the latest such event; the
    caller holds the checklist's lock (``checklist_apply``)."""
    waiting = set(
        ChecklistItem.objects.open()
        .filter(checklist=checklist)
        .exclude(settled_by="")
        .values_list("settled_by", flat=True)
    )
    if not waiting:
        return []
    events = ActivityEvent.objects.filter(
        engagement_id=checklist.engagement_id, verb__in=[VERBS[kind] for kind in waiting]
    ).select_related("actor")
    settled: list[ChecklistItem] = []
    for event in events.order_by("-created_at", "-id"):
        kind = settling_event(event)
        if kind in waiting:
            waiting.discard(kind)
            settled += _settle(checklist.pk, kind, event)
        if not waiting:
            break
    return settled
