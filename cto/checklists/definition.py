"""Checklist template definitions (content templates, not Django templates): parsing the authored
YAML, and which items an engagement kind gets.
A pure module: no ORM."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cto.core.definitions import DefinitionError
from cto.users.addresses import normalize_email

OWNER_SIDES = ("practice", "client")
APPLIES_TO = ("all", "ai")
# The app's own events that can settle an item (``settled_by`` in a template): an item waiting
# for one is marked done, with the event as its evidence, when it happens (or at once, when
# it happened before the checklist was applied).
SETTLING_EVENTS = {
    "audit_submitted": "a readiness audit is submitted (locked)",
    "quote_accepted": "the client accepts a quote",
    "report_ready": "the final week-one report is ready",
    "trace_receipt": "a trace is kept on the AI plan as a receipt",
    "eval_receipt": "an eval result with a verdict is kept on one of the plan's gates",
    "failure_mode_confirmed": "an operator confirms a proposed failure mode into the register",
}
# Of those, the receipts: an item waiting for one is done only with it ("receipts, not
# claims"), never by hand with other evidence; each says how to give it.
RECEIPT_NEEDED = {
    "trace_receipt": (
        "This item is done by its receipt: add a trace (OTLP/JSON) to the AI plan, on its page "
        "or through the API, and it is marked done with it."
    ),
    "eval_receipt": (
        "This item is done by its receipt: add an eval result (promptfoo, Inspect AI or JUnit) "
        "to one of the AI plan's gates, and it is marked done when the result gives a verdict."
    ),
    "failure_mode_confirmed": (
        "This item is done by its receipt: propose the failure mode with what was seen, on the "
        "AI plan, and it is marked done when an operator confirms it into the register."
    ),
}


class ChecklistTemplateError(DefinitionError):
    """A checklist template that does not parse."""


@dataclass(frozen=True)
class ItemSpec:
    key: str
    applies_to: str
    section: str
    title: str
    done_when: str
    owner: str
    due_day: int
    settled_by: str = ""  # one of SETTLING_EVENTS, or empty: settled by hand only


@dataclass(frozen=True)
class ChecklistSpec:
    slug: str
    title: str
    items: tuple[ItemSpec, ...]

    def items_for(self, kind: str) -> list[ItemSpec]:
        """A generic engagement gets the items for all; an AI engagement those and the AI ones."""
        return [item for item in self.items if item.applies_to == "all" or kind == "ai"]


def parse(data: Any) -> ChecklistSpec:
    if not isinstance(data, dict):
        raise ChecklistTemplateError(["(template): must be a mapping with “items”."])
    problems: list[str] = []
    items: list[ItemSpec] = []
    for raw in data.get("items") or []:
        key = raw.get("key") if isinstance(raw, dict) else None
        where = f"item {key!r}"
        if not isinstance(key, str) or not key:
            problems.append(f"{where}: needs a key.")
            continue
        missing = [n for n in ("section", "title", "done_when") if not str(raw.get(n, "")).strip()]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}.")
        if raw.get("applies_to") not in APPLIES_TO:
            problems.append(f"{where}: “applies_to” is all or ai.")
        if raw.get("owner") not in OWNER_SIDES:
            problems.append(f"{where}: “owner” is practice or client.")
        if raw.get("due_day") not in (1, 2, 3, 4, 5):
            problems.append(f"{where}: “due_day” is 1 to 5.")
        settled_by = raw.get("settled_by") or ""
        if settled_by not in ("", *SETTLING_EVENTS):
            problems.append(f"{where}: “settled_by” is one of {', '.join(SETTLING_EVENTS)}.")
        items.append(
            ItemSpec(
                key=key,
                applies_to=str(raw.get("applies_to")),
                section=str(raw.get("section", "")).strip(),
                title=str(raw.get("title", "")).strip(),
                done_when=str(raw.get("done_when", "")).strip(),
                owner=str(raw.get("owner")),
                due_day=raw.get("due_day") if isinstance(raw.get("due_day"), int) else 1,
                settled_by=str(settled_by),
            )
        )
    if len({item.key for item in items}) != len(items):
        problems.append("(items): keys must be unique.")
    if not items:
        problems.append("(items): at least one item is needed.")
    if not isinstance(data.get("slug"), str) or not isinstance(data.get("title"), str):
        problems.append("(template): needs a slug and a title.")
    if problems:
        raise ChecklistTemplateError(problems)
    return ChecklistSpec(slug=data["slug"], title=data["title"], items=tuple(items))


# --- Dates, progress, reminders ---------------------------------------------------------------

# Weekday names as CHECKLIST_WORKING_DAYS spells them, in ``date.weekday()`` order.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def working_weekdays(names: Iterable[str]) -> frozenset[int]:
    """The working days named (``mon`` … ``sun``, any case) as ``date.weekday()`` numbers;
    ValueError, naming the spelling, for a name that is not a day or for no day at all."""
    days = set()
    for name in names:
        key = name.strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"“{name}” is not a day: write mon, tue, wed, thu, fri, sat or sun.")
        days.add(WEEKDAYS.index(key))
    if not days:
        raise ValueError("At least one working day is needed, e.g. mon,tue,wed,thu,fri.")
    return frozenset(days)


def due_date(start: datetime.date | None, due_day: int) -> datetime.date | None:
    """Day 1 is the start date itself; no start date, no due date."""
    if start is None:
        return None
    return start + datetime.timedelta(days=due_day - 1)


def working_due_day(start: datetime.date | None, due_day: int, working: frozenset[int]) -> int:
    """The due day moved, when its date falls on a day off (a weekend by default), to the next
    working day: the day as stored on an applied item. Without a start date there is no date
    to move, and the day is kept."""
    if start is None or not working:
        return due_day
    while (start + datetime.timedelta(days=due_day - 1)).weekday() not in working:
        due_day += 1
    return due_day


@dataclass(frozen=True)
class Progress:
    finished: int  # done or not applicable
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0


FINISHED = ("done", "not_applicable")


def progress(statuses: Iterable[str]) -> Progress:
    statuses = list(statuses)
    return Progress(sum(1 for s in statuses if s in FINISHED), len(statuses))


@dataclass(frozen=True)
class Reminder:
    """One email to one owner: their overdue items and those due tomorrow."""

    owner_email: str
    overdue: tuple[Any, ...]
    due_tomorrow: tuple[Any, ...]


def reminders(
    items: Sequence[tuple[str, datetime.date | None, str, Any]], today: datetime.date
) -> list[Reminder]:
    """Group open items (owner email, due date, status, item) into one reminder per owner with
    anything overdue or due tomorrow; owners with nothing get nothing."""
    tomorrow = today + datetime.timedelta(days=1)
    by_owner: dict[str, tuple[list[Any], list[Any]]] = {}
    for email, due, status, item in items:
        if not email or due is None or status in FINISHED:
            continue
        overdue, soon = by_owner.setdefault(normalize_email(email), ([], []))
        if due < today:
            overdue.append(item)
        elif due == tomorrow:
            soon.append(item)
    return [
        Reminder(email, tuple(overdue), tuple(soon))
        for email, (overdue, soon) in sorted(by_owner.items())
        if overdue or soon
    ]
