"""cto/reports/snapshot: a figure a report states in more than one place comes from one
computation, so the report never contradicts itself.

Each kind is rendered for several engagements (the demo's, one built with everything, and a
large one) and read back from the PDF's own text; every figure stated twice is read in each
place and compared:
- week one: the executive summary's gates by result (and how many the release waits on),
  failure modes by status, checklist done/total, overdue and blocked, readiness score and band,
  red flags, model, recommendation and proposed tier, against the chapters that list them;
- audit: the overall score and band on the cover, in the PDF's subject, on the score card and in
  the progress table; each dimension's score in its table, its chart, the progress table and
  what to work on first; the dimensions marked below the bar against what to work on first;
- quote: each option's monthly, one-off and minimum-commitment totals in the summary table
  against its line-by-line totals and the lines themselves; the recommended and accepted option;
- intake summary: the recommendation in the PDF's subject and at the top of the page.
The snapshot supplies only labels to find rows by (dimension titles and descriptions), never a
figure to compare."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cto.demo.seed import seed_demo
from cto.engagements.models import Engagement
from cto.reports.snapshot.formats import MINUS, TIMES
from tests.reports.conftest import (
    Say,
    engagement_with_everything,
    reader_of,
    rendered,
    request,
    text_of,
)
from tests.reports.test_layout import large_engagement

pytestmark = pytest.mark.django_db


# --- The engagements --------------------------------------------------------------------------


def demo_engagements() -> list[Engagement]:
    seed_demo()
    return list(Engagement.objects.order_by("pk"))


FIXTURES: dict[str, Callable[[], list[Engagement]]] = {
    "demo": demo_engagements,
    "everything": lambda: [engagement_with_everything(say=Say())],
    "large": lambda: [large_engagement()],
}


@dataclass(frozen=True)
class Read:
    """A rendered report, read back: its text on one line, its subject, and the snapshot it
    was rendered from (for the labels of rows, never for a figure)."""

    engagement: str
    text: str
    subject: str
    snapshot: dict[str, Any]


def reports_of(fixture: str, kind: str) -> Iterator[Read]:
    """Each report of ``kind`` the fixture's engagements have; at least one."""
    count = 0
    for engagement in FIXTURES[fixture]():
        try:
            report = request(engagement, kind)
        except ValidationError:  # nothing of that kind yet (no audit, no quote, no intake)
            continue
        data = rendered(report)
        metadata = reader_of(data).metadata
        count += 1
        yield Read(
            engagement.title,
            one_line(text_of(data)),
            (metadata.subject if metadata else None) or "",
            report.snapshot,
        )
    assert count, f"no {kind} report in the {fixture} fixture"


# --- Reading the text -------------------------------------------------------------------------


def one_line(text: str) -> str:
    """The text with its line breaks gone; a word broken after its hyphen is joined again."""
    return " ".join(re.sub(r"(?<=\w)-\n(?=\w)", "-", text).split())


def between(text: str, start: str, end: str) -> str:
    """The last stretch of ``text`` from ``start`` to the ``end`` after it: a chapter's table,
    past the contents and the summary that name the same headings."""
    stop = text.rindex(end)
    return text[text.rindex(start, 0, stop) : stop]


def from_last(text: str, start: str, *ends: str) -> str:
    """From the last ``start`` to the first of ``ends`` after it (or the end of the text)."""
    begin = text.rindex(start)
    stops = [i for end in ends if (i := text.find(end, begin + len(start))) != -1]
    return text[begin : min(stops, default=len(text))]


NOTHING = "\N{EN DASH}"  # what a table prints where there is no figure


def figure(value: str) -> Decimal | None:
    """A score as printed (``59.0``, ``45``, ``+18.8``, the dash of none), as a number."""
    return None if value in (NOTHING, "not scored") else Decimal(value.lstrip("+"))


def amount(value: str) -> Decimal:
    """A sum of money as printed (``€12,750.00``, a discount with a minus sign first)."""
    sign = -1 if value.startswith(MINUS) else 1
    return sign * Decimal(re.sub(r"[^\d.]", "", value))


# cto.core.money in the practice's locale (en-gb): a symbol (€, £, $) or a code (CHF 1,000.00).
MONEY = rf"{MINUS}?(?:[€£$]|[A-Z]{{3}}\xa0?\s?)[\d,]+\.\d\d"
SCORE = rf"\d+(?:\.\d+)?|{NOTHING}"


# --- The week-one report's executive summary ----------------------------------------------------

SUMMARY_LABELS = (
    "Recommendation",
    "Readiness",
    "Red flags",
    "Model",
    "Eval gates",
    "Failure modes",
    "Checklist",
    "Proposed tier",
)
SUMMARY_STARTS = re.compile(
    r"This deliverable brings together what week one found and decided"
    r"(?:, and what we propose from here)?\. "
)
SUMMARY_ENDS = re.compile(
    r"Key findings|The risks|Next steps|The standing plan|· Week-one deliverable"
)
SUMMARY_LABEL = re.compile(rf"(?:^|(?<= ))({'|'.join(SUMMARY_LABELS)}) ")
PAGE_END_MARKERS = re.compile(r"(?: (?:•|\d+\.))+$")  # list markers pypdf reads at a page's end


def summary_facts(text: str) -> dict[str, str]:
    """The executive summary's table of facts, label to value."""
    start = SUMMARY_STARTS.search(text)
    assert start
    end = SUMMARY_ENDS.search(text, start.end())
    assert end
    parts = SUMMARY_LABEL.split(text[start.end() : end.start()])
    labels, values = parts[1::2], [PAGE_END_MARKERS.sub("", v.strip()) for v in parts[2::2]]
    assert labels == [label for label in SUMMARY_LABELS if label in labels], labels  # each once
    return dict(zip(labels, values, strict=True))


SUMMARY_GATES = re.compile(
    r"(\d+) gates?: (\d+) passing, (\d+) failing, (\d+) not measured yet"
    r"(?:, (\d+) needing review)?(?:; release waits on (\d+) of them)?"
)
SUMMARY_MODES = re.compile(r"(\d+) registered: (\d+) open, (\d+) mitigated, (\d+) accepted")
CHECKLIST_COUNTS = re.compile(
    r"(\d+) of (\d+) items done or not applicable(?: \((\d+) %\))?(?:; (\d+) overdue)?"
    r"(?:; (\d+) blocked)?"
)
SUMMARY_READINESS = re.compile(rf"({SCORE}) of 100(?:, (.+))? \(audit (\d+)\)")
SUMMARY_MODEL = re.compile(r"(.+?)(?:; fallback (.+))?$")
SUMMARY_TIER = re.compile(rf"(.+) \((Good|Better|Best) option\), ({MONEY}) a month")
VERDICT = re.compile(r"(?<![\w-])(Pass|Fail|No result|Needs review)(?![\w-])")
MODE_STATUS = re.compile(r"(?<![\w-])(Open|Mitigated|Accepted)(?![\w-])")
ITEM_STATUS = re.compile(r"(?<![\w-])(To do|In progress|Blocked|Done|Not applicable)(?![\w-])")
OVERDUE_TAG = re.compile(r"(?<![\w-])OVERDUE(?![\w-])")
CATCH_UP_STEP = re.compile(r"Catch up on the (\d+) overdue checklist items?\.")


def check_gates(read: Read, facts: dict[str, str]) -> None:
    found = SUMMARY_GATES.fullmatch(facts["Eval gates"])
    assert found, facts["Eval gates"]
    total, passing, failing, unmeasured = map(int, found.groups()[:4])
    reviewing, waits_on = int(found[5] or 0), int(found[6] or 0)
    # The gates' table ends where the receipts that decided them begin, if any.
    end = "Failure modes by risk"
    if "The files from the team" in read.text:
        end = "The files from the team"
    table = between(read.text, "Eval gates", end)
    # The text before each verdict holds its gate's name and tag ("BLOCKS RELEASE").
    pieces = VERDICT.split(table)
    rows = list(zip(pieces[0::2], pieces[1::2], strict=False))
    shown = Counter(verdict for _, verdict in rows)
    assert total == len(rows), read.engagement
    assert (passing, failing, unmeasured, reviewing) == (
        shown["Pass"],
        shown["Fail"],
        shown["No result"],
        shown["Needs review"],
    )
    blocking = sum(1 for row, verdict in rows if "BLOCKS RELEASE" in row and verdict != "Pass")
    assert waits_on == blocking, read.engagement


def check_failure_modes(read: Read, facts: dict[str, str]) -> None:
    found = SUMMARY_MODES.fullmatch(facts["Failure modes"])
    assert found, facts["Failure modes"]
    registered, open_, mitigated, accepted = map(int, found.groups())
    if not registered:
        assert "No failure mode is registered yet." in read.text
        return
    table = between(read.text, "Failure modes by risk", "Risk is likelihood times impact")
    statuses = Counter(MODE_STATUS.findall(table))
    assert registered == sum(statuses.values()), read.engagement
    assert (open_, mitigated, accepted) == (
        statuses["Open"],
        statuses["Mitigated"],
        statuses["Accepted"],
    ), read.engagement


def check_checklist(read: Read, facts: dict[str, str]) -> None:
    summary = CHECKLIST_COUNTS.fullmatch(facts["Checklist"])
    assert summary, facts["Checklist"]
    finished, total, _, overdue, blocked = (int(n or 0) for n in summary.groups())
    chapter = between(read.text, "The week-one checklist", "Evidence links are the client's own")
    intro = CHECKLIST_COUNTS.search(chapter)
    assert intro, read.engagement
    assert [int(n or 0) for n in intro.groups()] == [
        finished,
        total,
        round(100 * finished / total) if total else 0,
        overdue,
        blocked,
    ], read.engagement
    statuses = Counter(ITEM_STATUS.findall(chapter[intro.end() :]))
    assert total == sum(statuses.values()), read.engagement
    assert finished == statuses["Done"] + statuses["Not applicable"], read.engagement
    assert blocked == statuses["Blocked"], read.engagement
    assert overdue == len(OVERDUE_TAG.findall(chapter)), read.engagement
    # The standing plan, when the practice has set no steps of its own, counts them too.
    if catch_up := CATCH_UP_STEP.search(read.text):
        assert int(catch_up[1]) == overdue, read.engagement


def check_model(read: Read, facts: dict[str, str]) -> None:
    found = SUMMARY_MODEL.fullmatch(facts["Model"])
    assert found, facts["Model"]
    chosen, fallback = found.groups()
    if chosen == "Not chosen yet":
        assert "No model is chosen yet" in read.text, read.engagement
        return
    chapter = from_last(read.text, "Chosen model ", "The model and vendor matrix")
    assert chapter.startswith(f"Chosen model {chosen} Fallback {fallback or 'None chosen yet'}")


def check_recommendation(read: Read, facts: dict[str, str]) -> None:
    outcome = facts["Recommendation"]
    chapter = between(read.text, "The recommendation and how we got there", "The decision path")
    assert chapter.startswith(f"The recommendation and how we got there {outcome} "), outcome
    path = between(read.text, "The decision path", "Decision tree:")
    assert path[path.rindex("→ ") :].startswith(f"→ {outcome} "), read.engagement


def check_proposed_tier(read: Read, facts: dict[str, str]) -> None:
    found = SUMMARY_TIER.fullmatch(facts["Proposed tier"])
    assert found, facts["Proposed tier"]
    tier, label, monthly = found.groups()
    proposal = between(read.text, "The proposed tier", "Every option of quote")
    price = re.search(rf"Price ({MONEY}) a month; ({MONEY}) once", proposal)
    assert price, read.engagement
    assert proposal.startswith(f"The proposed tier Tier {tier} ({label} option")
    options = option_rows(between(read.text, "Every option of quote", "The quote itself sets out"))
    tagged = [row for row in options if row.tag == "ACCEPTED"] or [
        row for row in options if row.tag == "RECOMMENDED"
    ]
    assert len(tagged) == 1, read.engagement
    row = tagged[0]
    assert (row.label, row.tier) == (label, tier), read.engagement
    assert monthly == price[1] == row.monthly, read.engagement
    assert price[2] == row.one_off, read.engagement


def check_red_flags(read: Read, facts: dict[str, str]) -> None:
    named = [] if facts["Red flags"] == "None fired" else facts["Red flags"].split("; ")
    section = between(read.text, "Red flags", "What to work on first")
    assert section.count("First step:") == len(named), read.engagement
    assert ("No red flag fired." in section) == (not named), read.engagement
    for title in named:
        assert f" {title} " in section, title


# --- The audit's figures, in the week-one report and the audit report ---------------------------

SCORE_CARD = re.compile(
    rf"(?P<overall>{SCORE}) ?of 100 (?P<band>(?:(?!of 100).)*?)"
    r"Audit (?P<number>\d+), locked"
)
PROGRESS_OVERALL = re.compile(rf"Overall ({SCORE}) ({SCORE}) ([+-]?{SCORE})")
BELOW_TAG = re.compile(r"BELOW (\d+)")


def dimension_row(title: str, summary: str) -> re.Pattern[str]:
    """A row of the table of dimensions: its title, the tag of a weak one, its description, its
    weight and its score."""
    return re.compile(
        rf"{re.escape(title)}(?P<weak> BELOW \d+)? {re.escape(one_line(summary))}"
        rf" (?P<weight>\d+) (?P<score>{SCORE}|not scored)"
    )


def check_readiness(read: Read, overall: str, band: str | None, number: str) -> None:
    """The overall score, band and audit number stated elsewhere equal the score card's and the
    progress table's; each dimension's score is the same in its table, its chart, the progress
    table and what to work on first."""
    text = read.text
    card = SCORE_CARD.search(text)
    assert card, read.engagement
    assert (card["overall"], card["number"]) == (overall, number), read.engagement
    assert card["band"].startswith(f"{band} " if band else ""), (band, card["band"][:40])

    dimensions = read.snapshot["audit"]["dimensions"]  # titles and descriptions, to find rows
    table: dict[str, Decimal | None] = {}
    weak: set[str] = set()
    for dimension in dimensions:
        row = dimension_row(dimension["title"], dimension["summary"]).search(text)
        assert row, dimension["title"]
        table[dimension["title"]] = figure(row["score"])
        if row["weak"]:
            weak.add(dimension["title"])
    bar = BELOW_TAG.search(text)
    if bar:
        below = Decimal(bar[1])
        assert weak == {t for t, score in table.items() if score is not None and score < below}

    region = from_last(text, "Scores by dimension", "Progress since audit", "Red flags")
    for title, score in table.items():
        if score is None:
            continue
        labels = re.findall(rf"{re.escape(title)} ({SCORE})(?![\d.]| [\d{NOTHING}+-])", region)
        assert [figure(label) for label in labels] == [score], (title, labels)

    if "Progress since audit" in text:
        progress = from_last(text, "Progress since audit", "Red flags")
        row = PROGRESS_OVERALL.search(progress)
        assert row, read.engagement
        assert figure(row[2]) == figure(overall), (row[0], overall)
        for title, score in table.items():
            found = re.search(rf"{re.escape(title)} ({SCORE}) ({SCORE}) ([+-]?{SCORE})", progress)
            assert found, title
            assert figure(found[2]) == score, (title, found[0])

    first = from_last(text, "What to work on first", "In the frameworks your board knows")
    listed = {
        title: figure(found[1])
        for title in table
        if (found := re.search(rf"{re.escape(title)} \(({SCORE}) of 100\):", first))
    }
    assert all(listed[title] == table[title] for title in listed), listed
    # What to work on first names the weak dimensions, at most five of them.
    assert set(listed) <= weak, (listed, weak)
    assert len(listed) == min(len(weak), 5), (listed, weak)
    assert ("nothing stands out as weak" in first) == (not weak), read.engagement


# --- The tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES)
def test_the_week_one_summary_states_what_its_chapters_show(fixture: str) -> None:
    checks = {
        "Recommendation": check_recommendation,
        "Red flags": check_red_flags,
        "Model": check_model,
        "Eval gates": check_gates,
        "Failure modes": check_failure_modes,
        "Checklist": check_checklist,
        "Proposed tier": check_proposed_tier,
    }
    checked: set[str] = set()
    for read in reports_of(fixture, "week_one"):
        facts = summary_facts(read.text)
        for label, check in checks.items():
            if label in facts:
                check(read, facts)
                checked.add(label)
        if "Readiness" in facts:
            readiness = SUMMARY_READINESS.fullmatch(facts["Readiness"])
            assert readiness, facts["Readiness"]
            check_readiness(read, *readiness.groups())
            checked.add("Readiness")
    # Every row of the summary is checked on some fixture; each fixture has these at least.
    assert {"Readiness", "Eval gates", "Failure modes", "Proposed tier"} <= checked


AUDIT_COVER = re.compile(rf"Overall ({SCORE}) of 100(?:, (.+?))? Date ")
AUDIT_COVER_NUMBER = re.compile(r"Audit Audit (\d+), locked")
AUDIT_SUBJECT = re.compile(rf"Readiness audit (\d+) of .+: ({SCORE}|not scored) of 100(?:, (.+))?")


@pytest.mark.parametrize("fixture", FIXTURES)
def test_the_audit_report_states_one_score_in_every_place(fixture: str) -> None:
    for read in reports_of(fixture, "audit"):
        cover = AUDIT_COVER.search(read.text)
        number = AUDIT_COVER_NUMBER.search(read.text)
        subject = AUDIT_SUBJECT.fullmatch(read.subject)
        assert cover, read.engagement
        assert number, read.engagement
        assert subject, read.subject
        overall, band = cover.groups()
        assert subject.groups() == (number[1], overall, band), read.subject
        check_readiness(read, overall, band, number[1])


@dataclass(frozen=True)
class OptionRow:
    """A row of a quote's table of options."""

    label: str
    tier: str
    tag: str | None
    monthly: str
    one_off: str
    minimum: str
    months: int


OPTION_ROW = re.compile(
    r"(?P<label>Good|Better|Best): (?P<tier>.+?)(?: (?P<tag>ACCEPTED|RECOMMENDED))?"
    rf" (?:Fractional AI CTO|Fractional CTO), [\d.]+ days? a week (?P<monthly>{MONEY})"
    rf" (?P<one_off>{MONEY}) (?P<minimum>{MONEY}) (?P<months>\d+) months"
)


def option_rows(table: str) -> list[OptionRow]:
    return [
        OptionRow(
            row["label"],
            row["tier"],
            row["tag"],
            row["monthly"],
            row["one_off"],
            row["minimum"],
            int(row["months"]),
        )
        for row in OPTION_ROW.finditer(table)
    ]


OPTION_LINES = re.compile(
    r"(?P<label>Good|Better|Best): (?P<tier>.+?)(?: \((?P<tag>accepted|recommended)\))? "
    r"(?:Fractional AI CTO|Fractional CTO), [\d.]+ days? a week,"
    r" for at least (?P<term>\d+) months\."
    r" LINE PERIOD RATE ADDS (?P<lines>.*?)"
    rf" Monthly total (?P<monthly>{MONEY}) One-off total (?P<one_off>{MONEY})"
    rf" The minimum term of (?P<months>\d+) months, in all (?P<minimum>{MONEY})"
)
LINE = re.compile(
    rf"(?P<period>Monthly|One-off) (?:{MONEY}|{TIMES} [\d.]+|{MINUS} [\d.]+ %) (?P<adds>{MONEY})"
)
RECOMMENDED_OPTION = re.compile(r"The (Good|Better|Best) option")
ACCEPTED_OPTION = re.compile(r"Option (Good|Better|Best): (.+?) Signed as ")


@pytest.mark.parametrize("fixture", FIXTURES)
def test_the_quote_totals_each_option_as_its_lines_do(fixture: str) -> None:
    for read in reports_of(fixture, "quote"):
        summary = option_rows(from_last(read.text, "Our recommendation", "Prices in"))
        assert summary, read.engagement
        detail = list(OPTION_LINES.finditer(from_last(read.text, "The options, line by line")))
        assert [(row["label"], row["tier"]) for row in detail] == [
            (row.label, row.tier) for row in summary
        ], read.engagement
        for row, option in zip(summary, detail, strict=True):
            assert (row.monthly, row.one_off, row.minimum) == (
                option["monthly"],
                option["one_off"],
                option["minimum"],
            ), row.label
            assert row.months == int(option["term"]) == int(option["months"]), row.label
            adds: dict[str, Decimal] = {"Monthly": Decimal(0), "One-off": Decimal(0)}
            for line in LINE.finditer(option["lines"]):
                adds[line["period"]] += amount(line["adds"])
            assert adds == {"Monthly": amount(row.monthly), "One-off": amount(row.one_off)}
            # "What the whole minimum term costs: the one-off lines plus each month's total."
            assert amount(row.minimum) == amount(row.one_off) + row.months * amount(row.monthly)
            tag = {"ACCEPTED": "accepted", "RECOMMENDED": "recommended", None: None}[row.tag]
            assert option["tag"] == tag, row.label

        recommended = RECOMMENDED_OPTION.search(
            from_last(read.text, "Our recommendation", "OPTION MONTHLY")
        )
        tagged = [row.label for row in summary if row.tag == "RECOMMENDED"]
        if tagged:  # an accepted option's tag replaces the recommended one's
            assert recommended, read.engagement
            assert [recommended[1]] == tagged, read.engagement
        accepted = [row for row in summary if row.tag == "ACCEPTED"]
        signed = ACCEPTED_OPTION.search(from_last(read.text, "Acceptance"))
        assert [(row.label, row.tier) for row in accepted] == ([signed.groups()] if signed else [])


INTAKE_SUBJECT = re.compile(r"Intake summary for .+?: (.+)")


@pytest.mark.parametrize("fixture", ["everything", "large"])  # the demo has no intake
def test_the_intake_summary_states_one_recommendation(fixture: str) -> None:
    for read in reports_of(fixture, "intake_summary"):
        subject = INTAKE_SUBJECT.fullmatch(read.subject)
        assert subject, read.subject
        assert f"Our recommendation {subject[1]} " in read.text, subject[1]
