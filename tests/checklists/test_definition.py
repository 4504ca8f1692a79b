"""cto/checklists/definition.py: checklist templates, due dates, progress and reminder grouping.
No database."""

from __future__ import annotations

import datetime

import pytest

from cto.checklists import definition as t
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping

SHIPPED = t.parse(read_yaml_mapping((PLAYBOOKS_DIR / "checklists" / "week-one.yaml").read_bytes()))


def test_generic_engagements_get_the_common_items_and_ai_ones_the_ai_items_too() -> None:
    generic = {item.key for item in SHIPPED.items_for("generic")}
    ai = {item.key for item in SHIPPED.items_for("ai")}
    assert {
        "architecture_review",
        "risk_map",
        "roadmap_cleanup",
        "vendor_assessment",
        "debt_triage",
        "hiring_plan",
        "security_gaps",
    } <= generic
    assert not generic & {"readiness_audit", "first_trace"}
    assert ai - generic >= {"readiness_audit", "first_trace", "first_eval", "first_failure_mode"}
    assert generic < ai


def test_a_malformed_template_lists_its_problems() -> None:
    with pytest.raises(t.ChecklistTemplateError) as raised:
        t.parse(
            {
                "slug": "x",
                "title": "X",
                "items": [{"key": "a", "applies_to": "some", "owner": "robot", "due_day": 9}],
            }
        )
    assert raised.value.problems == [
        "item 'a': missing section, title, done_when.",
        "item 'a': “applies_to” is all or ai.",
        "item 'a': “owner” is practice or client.",
        "item 'a': “due_day” is 1 to 5.",
    ]


def test_due_dates_count_from_day_one() -> None:
    start = datetime.date(2026, 11, 23)
    assert t.due_date(start, 1) == start
    assert t.due_date(start, 5) == datetime.date(2026, 11, 27)
    assert t.due_date(None, 3) is None


def test_progress_counts_done_and_not_applicable() -> None:
    progress = t.progress(["done", "not_applicable", "todo", "blocked"])
    assert (progress.finished, progress.total, progress.percent) == (2, 4, 50)
    assert t.progress([]).percent == 0


def test_reminders_group_by_owner_and_skip_those_with_nothing_due() -> None:
    today = datetime.date(2026, 11, 24)
    yesterday, tomorrow, later = (today + datetime.timedelta(days=d) for d in (-1, 1, 3))
    rows = [
        ("Ada@x.example", yesterday, "todo", "a1"),
        ("ada@x.example", tomorrow, "in_progress", "a2"),
        ("ada@x.example", yesterday, "done", "a3"),  # finished: never reminded
        ("sam@y.example", later, "todo", "s1"),  # not due yet: Sam gets nothing
        ("", yesterday, "todo", "nobody"),  # no owner
    ]
    reminders = t.reminders(rows, today)
    assert [(r.owner_email, r.overdue, r.due_tomorrow) for r in reminders] == [
        ("ada@x.example", ("a1",), ("a2",))
    ]


# --- Working days --------------------------------------------------------------------------------

SATURDAY = datetime.date(2026, 12, 5)
MONDAY_TO_FRIDAY = t.working_weekdays(["mon", "tue", "wed", "thu", "fri"])


def test_working_weekdays_reads_day_names_in_any_case() -> None:
    assert t.working_weekdays(["Mon", "TUESDAY", " sun "]) == {0, 1, 6}


@pytest.mark.parametrize(
    ("names", "message"),
    [(["mon", "funday"], "“funday” is not a day"), ([], "At least one working day")],
)
def test_working_weekdays_refuses_what_is_not_a_day(names: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        t.working_weekdays(names)


@pytest.mark.parametrize(
    ("start", "due_day", "moved"),
    [
        (SATURDAY, 1, 3),  # Saturday and Sunday → Monday
        (SATURDAY, 2, 3),
        (SATURDAY, 3, 3),  # Monday stays
        (SATURDAY - datetime.timedelta(days=1), 1, 1),  # Friday stays
        (SATURDAY - datetime.timedelta(days=1), 2, 4),
    ],
)
def test_a_due_day_on_a_day_off_moves_to_the_next_working_day(
    start: datetime.date, due_day: int, moved: int
) -> None:
    assert t.working_due_day(start, due_day, MONDAY_TO_FRIDAY) == moved


def test_without_a_start_date_the_due_day_stays() -> None:
    assert t.working_due_day(None, 2, MONDAY_TO_FRIDAY) == 2


def test_settled_by_must_name_a_settling_event() -> None:
    raw = {
        "slug": "s",
        "title": "T",
        "items": [
            {
                "key": "a",
                "applies_to": "all",
                "section": "S",
                "title": "T",
                "done_when": "D",
                "owner": "client",
                "due_day": 1,
                "settled_by": "moon_landing",
            }
        ],
    }
    with pytest.raises(t.ChecklistTemplateError, match="“settled_by” is one of"):
        t.parse(raw)
    raw["items"][0]["settled_by"] = "audit_submitted"  # type: ignore[index]  # the item above
    assert t.parse(raw).items[0].settled_by == "audit_submitted"
