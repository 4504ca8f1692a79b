"""What the practice promises a prospect who sent the intake, and the first call it offers: the
day its reply is due (so many working days on), the call slots proposed (the next working days
at the practice's hours, in its time zone), and the calendar invitation for the slot chosen.

Pure: the policy comes in as values (``selectors.intake_call_policy`` reads the settings), and
``now`` is always passed, so every date here is tested without a clock or a database.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat
from icalendar import Calendar, Event, vCalAddress

# Weekday names as the settings spell them, in ``date.weekday()`` order.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Enough to find the next working days even when only one weekday is worked.
_SEARCH_DAYS = 7 * 60


@dataclass(frozen=True)
class CallPolicy:
    time_zone: ZoneInfo
    working: frozenset[int]  # date.weekday() numbers
    hours: tuple[datetime.time, ...]  # the calls' start times on a working day, in order
    days: int  # how many working days of slots to propose
    minutes: int  # a call's length
    reply_days: int  # the working days within which the practice replies


def call_policy(
    *,
    time_zone: str,
    working_days: Iterable[str],
    hours: Iterable[str],
    days: int,
    minutes: int,
    reply_days: int,
) -> CallPolicy:
    """The policy from the settings' spellings; ValueError, saying what to write, for a value
    that does not parse (checked when the app starts: cto/intake/checks.py)."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"“{time_zone}” is not a time zone: write one like Europe/London."
        ) from error
    working = set()
    for name in working_days:
        key = name.strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"“{name}” is not a day: write mon, tue, wed, thu, fri, sat or sun.")
        working.add(WEEKDAYS.index(key))
    if not working:
        raise ValueError("At least one working day is needed, e.g. mon,tue,wed,thu,fri.")
    starts = set()
    for text in hours:
        try:
            starts.add(datetime.time.fromisoformat(text.strip()))
        except ValueError as error:
            raise ValueError(f"“{text}” is not a time of day: write it like 10:00.") from error
    if not starts:
        raise ValueError("At least one call time is needed, e.g. 10:00,14:00.")
    if not 1 <= days <= 10:
        raise ValueError("Propose calls on 1 to 10 working days.")
    if not 5 <= minutes <= 240:
        raise ValueError("A call lasts 5 to 240 minutes.")
    if not 1 <= reply_days <= 30:
        raise ValueError("Promise a reply within 1 to 30 working days.")
    return CallPolicy(
        time_zone=zone,
        working=frozenset(working),
        hours=tuple(sorted(starts)),
        days=days,
        minutes=minutes,
        reply_days=reply_days,
    )


def working_days_after(
    day: datetime.date, count: int, working: frozenset[int]
) -> list[datetime.date]:
    """The first ``count`` working days after ``day`` (``day`` itself never counts)."""
    found: list[datetime.date] = []
    for offset in range(1, _SEARCH_DAYS):
        candidate = day + datetime.timedelta(days=offset)
        if candidate.weekday() in working:
            found.append(candidate)
            if len(found) == count:
                break
    return found


def reply_by(moment: datetime.datetime, policy: CallPolicy) -> datetime.date:
    """The day the practice's reply is due for a request sent at ``moment``: ``reply_days``
    working days after the day it was sent, as the practice's calendar has it."""
    sent_on = moment.astimezone(policy.time_zone).date()
    return working_days_after(sent_on, policy.reply_days, policy.working)[-1]


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime  # aware, in the practice's time zone
    minutes: int

    @property
    def key(self) -> str:
        """How a form names the slot: its start, as the practice's wall clock reads it."""
        return self.starts_at.strftime("%Y%m%dT%H%M")

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.minutes)

    @property
    def label(self) -> str:
        """ "Tuesday 8 December, 10:00": the practice's wall clock (formatting an aware datetime
        keeps its own zone)."""
        return dateformat.format(self.starts_at, "l j F, H:i")

    @property
    def long_label(self) -> str:
        """With the year and the zone, for the timeline and the operators' email."""
        zone = self.starts_at.tzinfo
        return f"{dateformat.format(self.starts_at, 'l j F Y, H:i')} ({zone})"


def call_slots(now: datetime.datetime, policy: CallPolicy) -> list[Slot]:
    """The slots proposed at ``now``: each call time of the next ``days`` working days (never
    today, so the practice has time to prepare), in the practice's time zone."""
    today = now.astimezone(policy.time_zone).date()
    return [
        Slot(
            starts_at=datetime.datetime.combine(day, hour, tzinfo=policy.time_zone),
            minutes=policy.minutes,
        )
        for day in working_days_after(today, policy.days, policy.working)
        for hour in policy.hours
    ]


def invitation_uid(*, site_url: str, response_id: int, slot: Slot) -> str:
    """The same for the same response and slot (a calendar that imports the file twice updates
    one event), different for any other; names the site, not the response."""
    host = site_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url}/intake/call/{response_id}/{slot.key}")
    return f"{name}@{host}"


def invitation(
    *,
    slot: Slot,
    uid: str,
    stamp: datetime.datetime,
    organizer_email: str,
    organizer_name: str,
    summary: str,
    description: str,
) -> bytes:
    """The .ics file of a first call at ``slot``: one tentative event (the practice confirms
    it), published for the prospect's own calendar. Times in UTC, which every calendar reads
    without a time-zone table."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{organizer_name}//first call//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", slot.starts_at.astimezone(datetime.UTC))
    event.add("dtend", slot.ends_at.astimezone(datetime.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "TENTATIVE")
    event.add("organizer", vCalAddress.new(organizer_email, cn=organizer_name))
    calendar.add_component(event)
    return calendar.to_ical()
