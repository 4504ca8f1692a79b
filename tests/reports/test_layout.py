"""static/css/report.css and templates/reports/pdf/: every kind of report is laid out for print.
Read from WeasyPrint's own page boxes (cto/reports/pdf.py's layout(), which render() writes),
for each demo engagement and for a large one: no page but the last under a third full, no
heading (h2, h3) as the last thing on a page, no table row on two pages. Table headers repeat
on every page a table spans, and dates and sums of money never wrap."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from cto.aiplan.models import FailureMode
from cto.aiplan.services import failure_mode_set_status, row_save
from cto.audits.services import AnswerInput, audit_answer_save, audit_lock, audit_open
from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.services import evidence_add, item_add, item_set_status
from cto.demo.seed import seed_demo
from cto.engagements.models import Engagement
from cto.reports import pdf, services
from cto.reports.models import Report
from tests.reports.conftest import Say, engagement_with_everything, text_of

pytestmark = pytest.mark.django_db

KINDS = ("week_one", "intake_summary", "audit", "quote")
HEADINGS = frozenset({"h2", "h3"})
# A note as an engineering lead writes one after a review: several sentences, about 900
# characters, long enough to make a row a third of a page tall in a narrow column.
LONG_NOTE = (
    "Reviewed with the client's engineering lead on Tuesday. The runbook covers the happy path "
    "and the two outages of last quarter, but not a vendor's rate limit or a bad deploy of the "
    "prompt templates; we agreed to add both before the agent answers customers unsupervised. "
) * 3

# As long as a note may be (4000 characters): taller than a page in a table's column.
WHOLE_NOTE = ("A note as long as the field allows, ending with its last words. " * 70)[
    :3970
] + " THE END."


# --- The page boxes, read -------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A line of text or a replaced element (an image, an SVG chart) as laid out on a page,
    with the boxes it sits in, outermost first."""

    box: boxes.Box
    ancestors: tuple[boxes.Box, ...]

    @property
    def bottom(self) -> float:
        return float(self.box.position_y + self.box.margin_height())

    def inside(self, tags: frozenset[str]) -> bool:
        return any(box.element_tag in tags for box in self.ancestors)

    def row(self) -> object | None:
        """The element of the table row it is in, if any (the same element on every page)."""
        rows = [box for box in self.ancestors if isinstance(box, boxes.TableRowBox)]
        return rows[-1].element if rows else None


def placed(box: boxes.Box, ancestors: tuple[boxes.Box, ...] = ()) -> Iterator[Placed]:
    """The page's content in document order, without its running header and footer (margin
    boxes) or a table's repeated header and footer rows, which belong on every page."""
    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer):
        return
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
        yield Placed(box, ancestors)
        return
    if isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from placed(child, (*ancestors, box))


@dataclass(frozen=True)
class Page:
    number: int
    fill: float  # how far down the content area the content reaches, 0 to 1
    content: list[Placed]


def pages_of(document: Document) -> list[Page]:
    pages = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        content = list(placed(box))
        top = box.content_box_y()
        bottom = max((line.bottom for line in content), default=top)
        pages.append(Page(number, (bottom - top) / box.height, content))
    return pages


def ends_with_a_heading(page: Page) -> bool:
    """The page ends with a heading, or with a heading and the one paragraph that introduces
    what it heads (a muted one: "Each answer on the way…"), the table itself on the next page."""
    introductions: set[object] = set()
    for line in reversed(page.content):
        if line.inside(HEADINGS):
            return len(introductions) <= 1
        muted = [
            box.element
            for box in line.ancestors
            if box.element_tag == "p" and "muted" in (box.element.get("class") or "").split()
        ]
        if not muted:
            return False
        introductions.add(muted[-1])
    return False


def faults_of(document: Document) -> list[str]:
    """What a reader would see as a fault of the layout, one line each."""
    pages = pages_of(document)
    faults = []
    rows: dict[object, set[int]] = {}
    for page in pages:
        final = page.number == len(pages)
        if not final and page.fill < 1 / 3:
            faults.append(f"page {page.number} is {page.fill:.0%} full")
        if not final and ends_with_a_heading(page):
            faults.append(f"page {page.number} ends with a heading")
        for line in page.content:
            row = line.row()
            if row is not None:
                rows.setdefault(row, set()).add(page.number)
    for row, numbers in rows.items():
        if len(numbers) > 1:
            text = " ".join("".join(row.itertext()).split())  # type: ignore[attr-defined]  # an ElementTree element
            faults.append(f"a table row is on pages {sorted(numbers)}: {text[:60]}")
    return faults


def laid_out(engagement: Engagement, kind: str) -> Document | None:
    """The report of ``kind`` laid out, or None when the engagement has nothing of that kind."""
    try:
        report = services.report_request(engagement=engagement, kind=kind, by=None)
    except ValidationError:
        return None
    return pdf.layout(services.report_html(report))


# --- A large engagement ---------------------------------------------------------------------------


def large_engagement() -> Engagement:
    """engagement_with_everything, grown to the size of a busy engagement: a third audit with
    notes, 14 failure modes, and 44 checklist items, every third with a long evidence note; one
    audit note, one evidence note and two status reasons as long as their fields allow."""
    engagement = engagement_with_everything(say=Say())
    operator = engagement.lead
    assert operator is not None
    audit = audit_open(engagement=engagement, by=operator)
    for index, question in enumerate(audit.template_version.parsed().questions):
        audit_answer_save(
            audit=audit,
            raw=AnswerInput(
                question=question,
                level=3 + index % 2,
                note=(WHOLE_NOTE if index == 0 else LONG_NOTE[: 200 + 150 * (index % 5)])
                if index % 3 == 0
                else "",
            ),
            expected_version=None,
            by=operator,
        )
    audit_lock(audit=audit, by=operator)
    plan = engagement.ai_plan
    for index in range(14 - plan.failure_modes.count()):
        mode = FailureMode(
            plan=plan,
            title=f"Failure mode {index + 1}: the agent answers from a stale policy page",
            look_first="retrieval",
            likelihood=index % 5 + 1,
            impact=(index * 2) % 5 + 1,
            mitigation="Re-index nightly and gate on the retrieval eval. " * (1 + index % 4),
        )
        row_save(row=mode, by=operator, change="added a failure mode")
        if index == 0:  # a reason as long as the field allows, in the narrow status column
            failure_mode_set_status(
                failure_mode=mode,
                status=FailureMode.Status.ACCEPTED,
                reason=WHOLE_NOTE[:1990] + " THE END.",
                expected_version=None,
                by=operator,
            )
    checklist = Checklist.objects.get(engagement=engagement)
    for index in range(44 - checklist.items.live().count()):
        item = item_add(
            checklist=checklist,
            section=("Access", "Evals", "Delivery")[index // 15],
            title=f"Week-one item {index + 1}: confirm the owner, the deadline and the first step",
            done_when="The owner has written down the deadline and the first step.",
            owner_side=ChecklistItem.Side.CLIENT,
            due_day=index % 5 + 1,
            by=operator,
        )
        if index == 0:
            evidence_add(item=item, note=WHOLE_NOTE, by=operator)
            item_set_status(
                item=item,
                status="blocked",
                reason=WHOLE_NOTE[:1990] + " THE END.",
                expected_version=None,
                by=operator,
            )
        elif index % 3 == 0:
            evidence_add(item=item, note=LONG_NOTE[: 300 + 200 * (index % 4)], by=operator)
    return Engagement.objects.get(pk=engagement.pk)


# --- The tests ------------------------------------------------------------------------------------


def test_every_kind_of_every_demo_engagement_is_laid_out_for_print() -> None:
    seed_demo()
    checked = []
    for engagement in Engagement.objects.order_by("pk"):
        for kind in KINDS:
            document = laid_out(engagement, kind)
            if document is not None:
                assert faults_of(document) == [], (engagement.title, kind)
                checked.append(kind)
    assert {"week_one", "audit", "quote"} <= set(checked)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_a_large_engagement_is_laid_out_for_print(kind: str) -> None:
    document = laid_out(large_engagement(), kind)
    assert document is not None
    assert faults_of(document) == []
    if kind == "week_one":
        assert len(document.pages) >= 12  # large enough for the checks to mean something


def test_a_table_that_spans_pages_repeats_its_header_on_each() -> None:
    document = laid_out(large_engagement(), Report.Kind.WEEK_ONE)
    assert document is not None
    checklist_pages = [
        page
        for page in document.pages
        if any(
            isinstance(box, boxes.TableBox) and "checklist" in (box.element.get("class") or "")
            for box in page._page_box.descendants()
        )
    ]
    assert len(checklist_pages) >= 2
    for page in checklist_pages:
        headers = [
            box
            for box in page._page_box.descendants()
            if isinstance(box, boxes.TableRowGroupBox) and box.is_header
        ]
        assert headers, "a page of the checklist without its header"


def test_dates_and_money_never_wrap() -> None:
    document = laid_out(large_engagement(), Report.Kind.WEEK_ONE)
    assert document is not None
    cells = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TableCellBox)
        and {"date", "money"} & set((box.element.get("class") or "").split())
    ]
    assert cells, "no cell is marked as a date or a sum of money"
    for cell in cells:
        # The value is the cell's own text; a detail under it (an "Overdue" tag) may wrap.
        value = " ".join((cell.element.text or "").split())
        first_line = next(box for box in cell.descendants() if isinstance(box, boxes.LineBox))
        text = "".join(
            box.text for box in first_line.descendants() if isinstance(box, boxes.TextBox)
        )
        assert value in " ".join(text.split()), (value, text)


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        ("week_one", "The reasons for a status, in full"),
        ("week_one", "Notes and reasons in full"),
        ("audit", "The long notes in full"),
    ],
)
def test_a_long_note_is_shortened_in_its_row_and_printed_whole_after_the_table(
    kind: str, heading: str
) -> None:
    report = services.report_request(engagement=large_engagement(), kind=kind, by=None)
    text = " ".join(text_of(pdf.render(services.report_html(report)).pdf).split())
    whole = text.index(heading)
    table = text.rindex("(in full after the table)", 0, whole)  # the row, shortened
    assert "THE END." not in text[table:whole]
    assert "THE END." in text[whole:]
