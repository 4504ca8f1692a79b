"""Reads of engagements, always scoped to who is asking."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.progress import (
    AuditState,
    Progress,
    ProgressState,
    QuoteState,
    Target,
    progress,
)
from cto.engagements.stages import Stage
from cto.users.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The engagement page shows the latest events; "the full timeline" shows up to the limit.
# A long engagement gathers hundreds of events, and rendering them all on every visit was most
# of the page's cost.
TIMELINE_RECENT = 20
TIMELINE_LIMIT = 200


def engagement_list(*, user: User) -> QuerySet[Engagement]:
    """The engagements ``user`` may see, with what a list shows of them."""
    return Engagement.objects.for_user(user).with_related()


def engagement_get(*, user: User, pk: int) -> Engagement:
    """One engagement ``user`` may see; 404 (not 403) for anything else, so a foreign id
    reveals nothing."""
    return get_object_or_404(engagement_list(user=user), pk=pk)


def engagement_for_page(*, user: User, pk: int) -> Engagement:
    """``engagement_get`` with the engagement's AI plan, checklist and intake (reverse
    one-to-ones, named as strings: this app never imports the apps built on it) joined in,
    which the page asks about: one query instead of four."""
    return get_object_or_404(
        engagement_list(user=user).select_related("ai_plan", "checklist", "intake_response"),
        pk=pk,
    )


@dataclass(frozen=True)
class PageProgress:
    """The tracker and next step of an engagement's page, with where the next step is done."""

    progress: Progress
    next_step_url: str | None


def engagement_progress(
    *, engagement: Engagement, audits: Sequence[Any], quotes: Sequence[Any]
) -> PageProgress:
    """The engagement's tracker and next step, from its real state.

    ``engagement`` comes from ``engagement_for_page``; ``audits`` are its audits newest first,
    each annotated with ``answered`` (its answers counted); ``quotes`` are the quotes the page
    lists, newest first. Two queries: the history of stage moves, and one row counting the open
    checklist items by side and looking for a readable week-one report. One more while an
    audit is open, for its template (how many questions it asks)."""
    state = ProgressState(
        stage=Stage(engagement.stage),
        paused_from=Stage(engagement.paused_from) if engagement.paused_from else None,
        stages_entered=_stages_entered(engagement),
        from_intake=_has_intake(engagement),
        audit=_audit_state(audits[0] if audits else None),
        quote=_quote_state(quotes),
        **_work_state(engagement),
    )
    result = progress(state)
    return PageProgress(result, _target_url(result.next_step.target, engagement, audits, quotes))


def _stages_entered(engagement: Engagement) -> tuple[Stage, ...]:
    moves = engagement.events.filter(verb=ActivityEvent.Verb.STAGE_CHANGED).order_by(
        "created_at", "id"
    )
    entered: list[Stage] = []
    for to in moves.values_list("data__to", flat=True):
        if to == Stage.LEAD:  # reopened: the way it went before is not this run's
            entered.clear()
        elif to in Stage.values:
            entered.append(Stage(to))
    return tuple(entered)


def _has_intake(engagement: Engagement) -> bool:
    # The intake app's reverse one-to-one, joined in by engagement_for_page: no query here.
    return hasattr(engagement, "intake_response")


def _audit_state(latest: Any) -> AuditState:
    if latest is None:
        return AuditState.NONE
    if not latest.is_open:
        return AuditState.LOCKED
    questions = len(latest.template_version.parsed().questions)
    return AuditState.ANSWERED if latest.answered >= questions else AuditState.OPEN


def _in_hand(quotes: Sequence[Any]) -> list[Any]:
    """The quotes the client has in hand, newest first: drafts are the practice's, and
    superseded quotes were replaced by a later revision."""
    return [quote for quote in quotes if quote.status not in ("draft", "superseded")]


def _quote_state(quotes: Sequence[Any]) -> QuoteState:
    """Of the quotes the client has in hand, an accepted quote wins, then one still open for an
    answer, then the newest declined or expired one."""
    shown = _in_hand(quotes)
    if any(quote.status == "accepted" for quote in shown):
        return QuoteState.ACCEPTED
    if any(quote.status == "sent" and not quote.is_expired for quote in shown):
        return QuoteState.SENT
    if not shown:
        return QuoteState.NONE
    return QuoteState.EXPIRED if shown[0].is_expired else QuoteState.DECLINED


def _work_state(engagement: Engagement) -> dict[str, Any]:
    """The checklist's open items by side and whether a week-one report is ready for the
    client, in one query."""
    checklist = getattr(engagement, "checklist", None)
    ready_report = engagement.reports.shown_to_clients().filter(kind="week_one", status="ready")
    counts: dict[str, Any] = {"report_ready": Exists(ready_report)}
    if checklist is not None:
        open_items = checklist.items.open().order_by().values("checklist")
        for side in ("client", "practice"):
            counts[f"{side}_items_open"] = Coalesce(
                Subquery(open_items.filter(owner_side=side).annotate(n=Count("*")).values("n")),
                Value(0),
            )
    row = Engagement.objects.filter(pk=engagement.pk).values(**counts).get()
    return {"checklist_applied": checklist is not None, **row}


def _target_url(
    target: Target | None, engagement: Engagement, audits: Sequence[Any], quotes: Sequence[Any]
) -> str | None:
    if target == Target.AUDIT and audits:
        return str(audits[0].get_absolute_url())
    if target == Target.QUOTE:
        # The quote waiting on an answer, else the newest the client has seen.
        shown = _in_hand(quotes)
        shown.sort(key=lambda quote: quote.status != "sent" or quote.is_expired)
        return str(shown[0].get_absolute_url()) if shown else None
    if target == Target.CHECKLIST:
        return reverse("checklists:detail", args=[engagement.pk])
    if target == Target.REPORTS:
        return "#reports"
    return None


# An actor filter's value for the events no person did (the app's own reactions, a task's):
# they have no actor, or their actor's account was deleted.
ACTOR_SYSTEM = "system"


@dataclass(frozen=True)
class TimelineFilter:
    """What the timeline is narrowed to. ``kind`` is an event's verb ("" for every kind);
    ``actor`` a user's id, ``ACTOR_SYSTEM``, or "" for anyone; ``full`` asks for up to
    TIMELINE_LIMIT events instead of the latest TIMELINE_RECENT."""

    kind: str = ""
    actor: str = ""
    full: bool = False

    @property
    def narrowed(self) -> bool:
        return bool(self.kind or self.actor)


@dataclass(frozen=True)
class TimelineChoices:
    """The kinds and actors that occur on the events someone may see, as (value, label) pairs
    in the order a filter lists them."""

    kinds: list[tuple[str, str]]
    actors: list[tuple[str, str]]


@dataclass(frozen=True)
class Timeline:
    events: list[ActivityEvent]
    more: bool  # there are older events than these
    full: bool  # the full timeline was asked for (up to TIMELINE_LIMIT)
    narrowed: bool = False  # a kind or an actor filter was applied

    @property
    def announcement(self) -> str:
        """What a screen reader hears when the timeline is swapped in."""
        count = len(self.events)
        matching = " matching" if self.narrowed else ""
        if not count:
            return "No event matches this filter." if self.narrowed else "Nothing has happened yet."
        if self.more:
            return f"The {count} most recent{matching} events are shown."
        return f"{count}{matching} event{'s' if count != 1 else ''} shown."


def timeline_events(*, user: User, engagement: Engagement) -> QuerySet[ActivityEvent]:
    """The events of ``engagement`` that ``user`` may see, unordered and unevaluated.

    The one place the rule lives, so the timeline and its filter's choices agree: a draft quote
    is the practice's until it is sent, so its events (lines added, options) are left out of a
    client's timeline as the draft is out of their list; so are the events of draft reports and
    of the practice's report text (its own work in progress). Operators see every event.
    The exclusions are joins and subqueries of the query that reads the events: no query here."""
    events = engagement.events.all()
    if user.is_staff:
        return events
    # Read through the reverse relations: this app never imports the apps built on it.
    # Each app's own rule says what a client may read of its rows (``shown_to``).
    hidden: tuple[QuerySet[Any], ...] = (
        engagement.quotes.exclude(pk__in=engagement.quotes.shown_to(user).values("pk")),
        engagement.reports.exclude(pk__in=engagement.reports.shown_to(user).values("pk")),
        engagement.narratives.all(),
    )
    for rows in hidden:
        # The content type by its natural key, joined in the same query: get_for_model would
        # cost a query of its own whenever its per-process cache is cold.
        events = events.exclude(
            target_type__app_label=rows.model._meta.app_label,
            target_type__model=rows.model._meta.model_name,
            target_id__in=rows.values("pk"),
        )
    return events


def timeline_choices(*, events: QuerySet[ActivityEvent]) -> TimelineChoices:
    """The kinds (in the order ActivityEvent.Verb declares them, with their labels) and the
    actors (by name, "the system" last) that occur among ``events``: one query, however many
    events there are, as it reads each distinct (kind, actor) pair once."""
    pairs = (
        events.order_by().values_list("verb", "actor_id", "actor__name", "actor__email").distinct()
    )
    verbs: set[str] = set()
    people: dict[str, str] = {}
    system = False
    for verb, actor_id, name, email in pairs:
        verbs.add(verb)
        if actor_id is None:
            system = True
        else:
            people[str(actor_id)] = name or email  # as User.__str__ names them
    declared = [value for value in ActivityEvent.Verb.values if value in verbs]
    # A verb an app records without declaring it still gets a line, named by its value.
    kinds = declared + sorted(verbs.difference(declared))
    actors = sorted(people.items(), key=lambda item: (item[1].casefold(), item[0]))
    if system:
        actors.append((ACTOR_SYSTEM, "The system"))
    return TimelineChoices(kinds=[(kind, kind_label(kind)) for kind in kinds], actors=actors)


def kind_label(verb: str) -> str:
    """How a filter names a kind of event: its verb's label as a sentence ("Accepted a
    quote")."""
    label = dict(ActivityEvent.Verb.choices).get(verb, verb)
    return label[:1].upper() + label[1:]


def engagement_audits(*, engagement: Engagement) -> list[Any]:
    """The engagement's audits, newest first, each with its answers counted (``answered``): the
    tracker tells an audit being answered from one that is fully answered and waits on the
    practice. Read through the reverse relation: this app never imports the apps built on it."""
    return list(engagement.audits.annotate(answered=Count("answers")).order_by("-number"))


def engagement_timeline(
    *, events: QuerySet[ActivityEvent], wanted: TimelineFilter = TimelineFilter()
) -> Timeline:
    """The newest of ``events`` first (from ``timeline_events``), with their actors, narrowed
    to ``wanted``'s kind and actor: the latest TIMELINE_RECENT, or up to TIMELINE_LIMIT when
    ``wanted.full``. One query, filtered or not: one row past the limit says whether there are
    more."""
    limit = TIMELINE_LIMIT if wanted.full else TIMELINE_RECENT
    if wanted.kind:
        events = events.filter(verb=wanted.kind)
    if wanted.actor == ACTOR_SYSTEM:
        events = events.filter(actor__isnull=True)
    elif wanted.actor:
        events = events.filter(actor_id=int(wanted.actor))
    rows = list(events.select_related("actor").order_by("-created_at", "-id")[: limit + 1])
    return Timeline(
        events=rows[:limit], more=len(rows) > limit, full=wanted.full, narrowed=wanted.narrowed
    )


# --- Waiting work: the operators' attention lists ----------------------------------------------

# What a list of waiting work shows of an engagement. The queries read no more: each counts
# every waiting row in a window, and at a practice's size narrow rows make those windows
# markedly cheaper.
ENGAGEMENT_SHOWN = ("title", "organization__name", "lead__name", "lead__email")


def engagement_shown(path: str) -> list[str]:
    """``ENGAGEMENT_SHOWN`` as seen from a row that points at its engagement by ``path``."""
    return [f"{path}__{field}" for field in ENGAGEMENT_SHOWN]


def waiting_total() -> Window:
    """How many rows the query finds before its LIMIT, in the same query."""
    return Window(Count("*"))


class StaleLead(TypedDict):
    """What ``leads_stale`` adds to each Engagement."""

    last_activity: datetime.datetime
    waiting_total: int


def leads_stale(
    *, quiet_before: datetime.datetime, limit: int
) -> QuerySet[WithAnnotations[Engagement, StaleLead]]:
    """Leads with no activity since ``quiet_before``, the longest quiet first, at most
    ``limit``: one query. Each carries ``last_activity`` (its newest event, or its creation)
    and ``waiting_total`` (every such lead, shown or not)."""
    latest_event = (
        ActivityEvent.objects.filter(engagement=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        Engagement.objects.filter(stage=Stage.LEAD)
        .select_related("organization", "lead")
        .only(*ENGAGEMENT_SHOWN)
        # The newest event by the index event_engagement_recent, one lookup per lead.
        .annotate(last_activity=Coalesce(Subquery(latest_event), "created_at"))
        .filter(last_activity__lt=quiet_before)
        .annotate(waiting_total=waiting_total())
        .order_by("last_activity", "id")[:limit]
    )
