"""cto/reports/snapshot: a figure the week-one report states twice comes from one computation.
Read back from the PDF's own text, for several engagements: the executive summary's counts of
gates by result, failure modes by status and checklist items done equal what the tables below
it list."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from cto.demo.seed import seed_demo
from cto.engagements.models import Engagement
from tests.reports.conftest import Say, engagement_with_everything, rendered, request, text_of

pytestmark = pytest.mark.django_db

SUMMARY_GATES = re.compile(
    r"Eval gates (\d+) gates?: (\d+) passing, (\d+) failing, (\d+) not measured yet"
)
SUMMARY_MODES = re.compile(
    r"Failure modes (\d+) registered: (\d+) open, (\d+) mitigated, (\d+) accepted"
)
VERDICT = re.compile(r"(?<![\w-])(Pass|Fail|No result)(?![\w-])")
SUMMARY_CHECKLIST = re.compile(r"Checklist (\d+) of (\d+) items done or not applicable")
ITEM_STATUS = re.compile(r"(?<![\w-])(To do|In progress|Blocked|Done|Not applicable)(?![\w-])")
STATUS = re.compile(r"(?<![\w-])(Open|Mitigated|Accepted)(?![\w-])")


def one_line(text: str) -> str:
    return " ".join(text.split())


def between(text: str, start: str, end: str) -> str:
    """The last stretch of ``text`` from ``start`` to the ``end`` after it: a chapter's table,
    past the contents and the summary that name the same headings."""
    stop = text.rindex(end)
    return text[text.rindex(start, 0, stop) : stop]


def engagements() -> list[Engagement]:
    """Every engagement with an AI plan: the demo's, and one built with everything."""
    seed_demo()
    engagement_with_everything(say=Say())
    found = list(Engagement.objects.filter(ai_plan__isnull=False).order_by("pk"))
    assert len(found) >= 2
    return found


def test_the_summary_counts_the_gates_and_failure_modes_its_tables_list() -> None:
    for engagement in engagements():
        report = request(engagement, "week_one")
        text = one_line(text_of(rendered(report)))
        plan = report.snapshot["plan"]

        total, passing, failing, unmeasured = map(int, SUMMARY_GATES.search(text).groups())
        assert total == len(plan["eval_gates"]), engagement
        if total:
            shown = Counter(VERDICT.findall(between(text, "Eval gates", "Failure modes by risk")))
            assert sum(shown.values()) == total, engagement
            assert (passing, failing, unmeasured) == (
                shown["Pass"],
                shown["Fail"],
                shown["No result"],
            ), engagement

        registered, open_, mitigated, accepted = map(int, SUMMARY_MODES.search(text).groups())
        assert registered == len(plan["failure_modes"]), engagement
        if registered:
            table = between(text, "Failure modes by risk", "Risk is likelihood times impact")
            statuses = Counter(STATUS.findall(table))
            assert sum(statuses.values()) == registered, engagement
            assert (open_, mitigated, accepted) == (
                statuses["Open"],
                statuses["Mitigated"],
                statuses["Accepted"],
            ), engagement

        checklist = SUMMARY_CHECKLIST.search(text)
        if report.snapshot["checklist"]:
            assert checklist, engagement
            finished, total = map(int, checklist.groups())
            table = between(text, "The week-one checklist", "Evidence links are the client's own")
            statuses = Counter(ITEM_STATUS.findall(table))
            assert sum(statuses.values()) == total, engagement
            assert statuses["Done"] + statuses["Not applicable"] == finished, engagement
