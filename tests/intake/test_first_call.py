"""What the practice promises after the intake and the first call it offers
(cto/intake/first_call.py): pure, no database, no clock."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from cto.intake import first_call

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")


def policy(**overrides: object) -> first_call.CallPolicy:
    values: dict[str, object] = {
        "time_zone": "Europe/London",
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "hours": ["14:00", "10:00"],
        "days": 3,
        "minutes": 30,
        "reply_days": 2,
    } | overrides
    return first_call.call_policy(**values)  # type: ignore[arg-type]  # the test's own values


def test_the_slots_are_the_next_working_days_at_the_practices_hours() -> None:
    friday_evening = datetime.datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
    slots = first_call.call_slots(friday_evening, policy())
    assert [slot.key for slot in slots] == [
        "20261207T1000",
        "20261207T1400",
        "20261208T1000",
        "20261208T1400",
        "20261209T1000",
        "20261209T1400",
    ]
    assert slots[0].label == "Monday 7 December, 10:00"
    assert slots[0].ends_at - slots[0].starts_at == datetime.timedelta(minutes=30)


def test_today_is_never_offered_even_early_in_the_morning() -> None:
    tuesday_dawn = datetime.datetime(2026, 12, 8, 6, 0, tzinfo=UTC)
    assert first_call.call_slots(tuesday_dawn, policy())[0].key == "20261209T1000"


def test_slots_are_the_practices_wall_clock_across_a_change_of_summer_time() -> None:
    # London moves to summer time on Sunday 29 March 2026: 10:00 there is 09:00 UTC from then.
    friday = datetime.datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    first = first_call.call_slots(friday, policy())[0]
    assert first.key == "20260330T1000"
    assert first.starts_at.astimezone(UTC) == datetime.datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_the_day_is_the_practices_not_utcs() -> None:
    # 23:30 UTC on Monday is already Tuesday in Auckland: the first slot is on Wednesday there.
    monday_late = datetime.datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    slots = first_call.call_slots(monday_late, policy(time_zone="Pacific/Auckland"))
    assert slots[0].key == "20261209T1000"


def test_the_reply_is_due_so_many_working_days_after_the_day_sent() -> None:
    thursday = datetime.datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    assert first_call.reply_by(thursday, policy()) == datetime.date(2026, 12, 7)  # Monday
    saturday = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert first_call.reply_by(saturday, policy()) == datetime.date(2026, 12, 8)  # Tuesday
    assert first_call.reply_by(
        saturday, policy(working_days=["sun", "mon"], reply_days=1)
    ) == datetime.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "is not a time zone"),
        ({"working_days": ["mon", "someday"]}, "“someday” is not a day"),
        ({"working_days": []}, "At least one working day"),
        ({"hours": ["10h"]}, "“10h” is not a time of day"),
        ({"hours": []}, "At least one call time"),
        ({"days": 0}, "1 to 10 working days"),
        ({"minutes": 1}, "5 to 240 minutes"),
        ({"reply_days": 0}, "1 to 30 working days"),
    ],
)
def test_a_setting_that_does_not_parse_says_what_to_write(
    override: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        policy(**override)


def test_the_invitation_is_one_tentative_event_organised_by_the_practice() -> None:
    slot = first_call.call_slots(datetime.datetime(2026, 12, 4, 12, tzinfo=UTC), policy())[1]
    uid = first_call.invitation_uid(site_url="https://cto.example", response_id=7, slot=slot)
    stamp = datetime.datetime(2026, 12, 4, 12, 5, tzinfo=UTC)
    data = first_call.invitation(
        slot=slot,
        uid=uid,
        stamp=stamp,
        organizer_email="hello@practice.example",
        organizer_name="Harbour CTO",
        summary="First call with Harbour CTO",
        description="About your answers, with a comma, and a; semicolon",
    )
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "PUBLISH"
    assert str(event["uid"]) == uid
    assert event.decoded("dtstamp") == stamp
    assert event.decoded("dtstart") == datetime.datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime.datetime(2026, 12, 7, 14, 30, tzinfo=UTC)
    assert str(event["organizer"]) == "mailto:hello@practice.example"
    assert event["organizer"].params["CN"] == "Harbour CTO"
    assert str(event["status"]) == "TENTATIVE"
    assert str(event["description"]) == "About your answers, with a comma, and a; semicolon"


def test_the_uid_is_stable_for_a_response_and_slot_and_differs_otherwise() -> None:
    slots = first_call.call_slots(datetime.datetime(2026, 12, 4, 12, tzinfo=UTC), policy())

    def uid(response_id: int, slot: first_call.Slot) -> str:
        return first_call.invitation_uid(
            site_url="https://cto.example:8443/", response_id=response_id, slot=slot
        )

    assert uid(7, slots[0]) == uid(7, slots[0])
    assert uid(7, slots[0]).endswith("@cto.example")
    assert len({uid(7, slots[0]), uid(7, slots[1]), uid(8, slots[0])}) == 3
