"""Checklist templates, due dates, progress and reminder grouping. No database."""

from __future__ import annotations

import datetime

import pytest

from cto.checklists import definition as t
from cto.checklists.uploads import UploadError, check_upload, clean_name
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping

SHIPPED = t.parse(read_yaml_mapping((PLAYBOOKS_DIR / "checklists" / "week-one.yaml").read_bytes()))
MB = 1_000_000


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


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("report.pdf", b"MZ\x90\x00", "not really a .pdf"),  # an executable dressed as a PDF
        ("report.pdf", b"\x7fELF", "not really a .pdf"),
        ("tool.exe", b"MZ", "not accepted"),
        ("notes.txt", b"ok\x00\x00binary", "not plain text"),
        ("script.sh", b"#!/bin/sh", "not accepted"),
    ],
)
def test_disguised_or_unknown_files_are_refused(name: str, head: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        check_upload(name, 100, head, max_bytes=10 * MB)


def test_oversized_and_empty_files_are_refused() -> None:
    with pytest.raises(UploadError, match="the limit is 10 MB"):
        check_upload("big.pdf", 11 * MB, b"%PDF-1.7", max_bytes=10 * MB)
    with pytest.raises(UploadError, match="empty"):
        check_upload("empty.pdf", 0, b"", max_bytes=10 * MB)


def test_accepted_files_get_a_clean_name_and_type() -> None:
    assert check_upload("Q3 plan.PDF", 10, b"%PDF-1.4", max_bytes=MB) == (
        "Q3 plan.PDF",
        "application/pdf",
    )
    assert clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_name("C:\\Users\\me\\r<e>p|o*rt.pdf") == "r_e_p_o_rt.pdf"
    assert clean_name("....") == "evidence"
