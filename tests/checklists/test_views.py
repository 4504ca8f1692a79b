"""cto/checklists/views.py through the client: downloads, evidence files refused for what
they hold, stale saves, isolation on every endpoint, operators' pages, the due-this-week list,
query counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.checklists import services
from cto.checklists.definition import FINISHED, due_date
from cto.checklists.models import Checklist, ChecklistItem, Evidence
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.engagements.services import engagement_transition
from cto.engagements.stages import RESTING_STAGES
from cto.users.models import Organization, User
from tests import evidence_files
from tests.checklists.conftest import item
from tests.engagements.factories import EngagementFactory
from tests.evidence_files import clean_pdf
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
URL = reverse("checklists:due_this_week")
PDF = clean_pdf()


def test_the_download_is_for_the_organisation_and_operators_only(
    client: Client,
    checklist: Checklist,
    operator: User,
    client_user: User,
    other_organization: Organization,
) -> None:
    evidence = services.evidence_add(
        item=item(checklist, "access_granted"),
        upload=SimpleUploadedFile("proof.pdf", PDF),
        by=client_user,
    )
    url = evidence.get_download_url()
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(client_user)
    reply = client.get(url)
    assert reply.status_code == 200
    assert b"".join(reply.streaming_content) == PDF
    assert reply["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    assert reply["Cache-Control"] == "private, no-store"
    assert reply["X-Content-Type-Options"] == "nosniff"
    client.force_login(operator)
    assert client.get(url).status_code == 200
    client.force_login(MembershipFactory(organization=other_organization).user)
    assert client.get(url).status_code == 404


def stored_files(settings) -> set[Path]:  # type: ignore[no-untyped-def]
    return {path for path in Path(settings.PRIVATE_ROOT).rglob("*") if path.is_file()}


def post_evidence(client: Client, item: ChecklistItem, name: str, data: bytes, *, htmx: bool):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("checklists:item_evidence", args=[item.pk]),
        {"file": SimpleUploadedFile(name, data), "note": "see the file"},
        headers=HTMX if htmx else {},
        follow=not htmx,
    )


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("proof.pdf", evidence_files.pdf_with_javascript, "That PDF contains JavaScript"),
        ("proof.pdf", evidence_files.pdf_with_launch_action, "launches a program"),
        ("proof.pdf", evidence_files.pdf_with_escaped_javascript_name, "contains JavaScript"),
        ("proof.pdf", evidence_files.encrypted_pdf, "That PDF is encrypted"),
        ("proof.docx", evidence_files.docx_with_macro, "contains macros"),
        ("proof.docx", evidence_files.zip_bomb, "inflates to more than 100 times its size"),
        ("proof.xlsx", evidence_files.damaged_docx, "not a valid .xlsx file"),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_evidence_files_that_hold_code_or_inflate_are_refused_and_nothing_is_kept(
    client: Client,
    checklist: Checklist,
    client_user: User,
    settings,
    name: str,
    make: Callable[[], bytes],
    message: str,
    htmx: bool,
) -> None:
    before = stored_files(settings)
    client.force_login(client_user)
    reply = post_evidence(client, item(checklist, "access_granted"), name, make(), htmx=htmx)
    assert reply.status_code == (422 if htmx else 200)  # a plain form: back on the page
    assert message in reply.text
    assert not Evidence.objects.exists()  # nor the note sent with it
    assert stored_files(settings) == before


@pytest.mark.parametrize(
    ("name", "make"),
    [("proof.pdf", evidence_files.clean_pdf), ("proof.docx", evidence_files.clean_docx)],
)
def test_clean_pdf_and_docx_evidence_is_kept_as_uploaded(
    client: Client,
    checklist: Checklist,
    client_user: User,
    name: str,
    make: Callable[[], bytes],
) -> None:
    client.force_login(client_user)
    reply = post_evidence(client, item(checklist, "access_granted"), name, make(), htmx=True)
    assert reply.status_code == 200
    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as stored:
        assert stored.read() == make()


def test_a_stale_save_is_refused_and_shows_the_current_state(
    client: Client, checklist: Checklist, operator: User, client_user: User
) -> None:
    access = item(checklist, "access_granted")
    services.item_set_status(item=access, status="in_progress", expected_version=1, by=operator)
    client.force_login(client_user)
    reply = client.post(
        reverse("checklists:item_status", args=[access.pk]),
        {"status": "blocked", "reason": "x", "version": "1"},
        headers=HTMX,
    )
    assert reply.status_code == 409
    assert "Someone changed this item since you opened the page" in reply.text
    assert "In progress" in reply.text
    access.refresh_from_db()
    assert access.status == "in_progress"


def test_done_without_evidence_through_the_page_shows_the_message(
    client: Client, checklist: Checklist, operator: User
) -> None:
    client.force_login(operator)
    review = item(checklist, "architecture_review")
    reply = client.post(
        reverse("checklists:item_status", args=[review.pk]),
        {"status": "done", "effective_date": "2026-01-05", "version": "1"},
        headers=HTMX,
    )
    assert reply.status_code == 422
    assert "Done needs evidence" in reply.text


@pytest.mark.parametrize("htmx", [False, True])
def test_another_organisation_gets_404_on_every_checklist_endpoint(
    client: Client,
    checklist: Checklist,
    other_organization: Organization,
    operator: User,
    htmx: bool,
) -> None:
    evidence = services.evidence_add(
        item=item(checklist, "risk_map"), upload=SimpleUploadedFile("r.pdf", PDF), by=operator
    )
    target = item(checklist, "access_granted")
    client.force_login(MembershipFactory(organization=other_organization).user)
    headers = HTMX if htmx else {}
    engagement_pk = checklist.engagement_id
    for method, url, data in [
        ("get", reverse("checklists:detail", args=[engagement_pk]), {}),
        ("post", reverse("checklists:item_status", args=[target.pk]), {"status": "in_progress"}),
        ("post", reverse("checklists:item_evidence", args=[target.pk]), {"note": "x"}),
        ("post", reverse("checklists:item_owner", args=[target.pk]), {"owner": ""}),
        ("post", reverse("checklists:item_drop", args=[target.pk]), {"reason": "x"}),
        ("get", reverse("checklists:evidence_download", args=[evidence.pk]), {}),
    ]:
        assert getattr(client, method)(url, data, headers=headers).status_code == 404, url
    target.refresh_from_db()
    assert (target.status, target.evidence.count(), target.dropped_at) == ("todo", 0, None)


def test_clients_cannot_reach_the_operators_views(
    client: Client, checklist: Checklist, client_user: User
) -> None:
    client.force_login(client_user)
    for url in (reverse("checklists:due_this_week"),):
        assert client.get(url).status_code == 302
    assert (
        client.post(reverse("checklists:apply", args=[checklist.engagement_id])).status_code == 302
    )


def test_operators_see_what_is_due_this_week(
    client: Client, checklist: Checklist, operator: User
) -> None:
    client.force_login(operator)
    page = client.get(reverse("checklists:due_this_week"))
    assert page.status_code == 200
    assert "Access to code, cloud and tools" in page.text  # day 1, two days ago: overdue
    assert "overdue" in page.text


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 100])
def test_checklist_page_query_count_is_the_same_for_10_and_100_items(
    client: Client,
    checklist: Checklist,
    operator: User,
    client_user: User,
    size: int,
    django_assert_num_queries,
) -> None:
    items = list(checklist.items.all())
    for index in range(size - len(items)):
        services.item_add(
            checklist=checklist,
            section="Extra",
            title=f"Extra {index}",
            done_when="Proof",
            owner_side="client",
            due_day=2,
            by=operator,
        )
    ChecklistItem.objects.filter(checklist=checklist).update(owner=client_user)
    extras = checklist.items.filter(section="Extra")[:3]
    for extra in extras:
        services.evidence_add(item=extra, note="Done", by=client_user)
    if size == 10:
        ChecklistItem.objects.filter(pk__in=[i.pk for i in checklist.items.all()[10:]]).update(
            dropped_at=timezone.now(), dropped_reason="trim to ten"
        )
    client.force_login(client_user)
    url = reverse("checklists:detail", args=[checklist.engagement_id])
    # user, checklist with engagement, items with owners, evidence with authors
    with django_assert_num_queries(4):
        reply = client.get(url)
    assert reply.status_code == 200
    assert reply.context["view"].progress.total == size


# --- Due this week ---------------------------------------------------------------------------


@pytest.fixture
def _template() -> None:
    checklist_template_load_shipped(publish=True)


def started(
    organization: Organization, operator: User, *, days_ago: int | None, title: str = ""
) -> Checklist:
    """A checklist on an engagement that started ``days_ago`` days ago (negative: it starts
    later; None: no start date yet)."""
    today = timezone.localdate()
    engagement = EngagementFactory(
        organization=organization,
        lead=operator,
        start_date=None if days_ago is None else today - datetime.timedelta(days=days_ago),
        **({"title": title} if title else {}),
    )
    return services.checklist_apply(engagement=engagement, by=operator).checklist


def expected_due(today: datetime.date) -> list[int]:
    """The list as the page describes it, worked out item by item in Python."""
    horizon = today + datetime.timedelta(days=7)
    due = []
    for row in ChecklistItem.objects.select_related("checklist__engagement"):
        engagement = row.checklist.engagement
        date = due_date(engagement.start_date, row.due_day)
        if (
            row.dropped_at is None
            and row.status not in FINISHED
            and engagement.stage not in RESTING_STAGES
            and date is not None
            and date <= horizon
        ):
            due.append((date, engagement.title, row.position, row.pk))
    return [pk for *_, pk in sorted(due)]


def listed(client: Client, query: str = "") -> list[ChecklistItem]:
    page = client.get(URL + query)
    assert page.status_code == 200
    return list(page.context["page"].object_list)


@pytest.mark.usefixtures("_template")
def test_it_lists_open_items_of_running_engagements_due_within_seven_days_soonest_first(
    client: Client, organization: Organization, operator: User
) -> None:
    today = timezone.localdate()
    running = started(organization, operator, days_ago=2, title="Running")
    later = started(organization, operator, days_ago=-4, title="Starts in four days")
    paused = started(organization, operator, days_ago=10, title="Paused")
    engagement_transition(engagement=paused.engagement, to="paused", by=operator)
    started(organization, operator, days_ago=None, title="Not started")
    first, second = running.items.order_by("position")[:2]
    services.item_drop(item=first, reason="Not needed", expected_version=None, by=operator)
    services.item_set_status(
        item=second, status="not_applicable", reason="Not here", expected_version=None, by=operator
    )
    client.force_login(operator)

    items = listed(client)

    assert [item.pk for item in items] == expected_due(today)
    assert {first.pk, second.pk}.isdisjoint(item.pk for item in items)
    assert {item.checklist.engagement.title for item in items} == {
        "Running",
        "Starts in four days",
    }
    # Day 5 of an engagement starting in four days is eight days away: not this week.
    assert {item.due_day for item in items if item.checklist_id == later.pk} == {1, 2, 3, 4}
    assert [item.due for item in items] == sorted(item.due for item in items)
    assert items[0].due == today - datetime.timedelta(days=2)
    assert "overdue" in client.get(URL).text


@pytest.mark.usefixtures("_template")
def test_it_pages_through_many_due_items(
    client: Client, organization: Organization, operator: User
) -> None:
    for index in range(8):
        started(organization, operator, days_ago=index % 3, title=f"Engagement {index}")
    everything = expected_due(timezone.localdate())
    assert len(everything) > 100  # more than a page
    client.force_login(operator)

    first, second = listed(client), listed(client, "?page=2")

    assert [item.pk for item in first + second] == everything[:200]
    assert len(first) == 100
    # Not a page number, or past the end: the first page, or the last, never an error.
    assert [item.pk for item in listed(client, "?page=%00x")] == everything[:100]
    last = client.get(URL + "?page=999")
    assert last.context["page"].number == last.context["page"].paginator.num_pages
    assert 'rel="next"' in client.get(URL).text


@pytest.mark.usefixtures("_template")
def test_nothing_due_says_so(client: Client, operator: User) -> None:
    client.force_login(operator)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Nothing is due this week." in page.text


@pytest.mark.usefixtures("_template")
@pytest.mark.parametrize("engagements", [1, 8])
def test_the_query_count_does_not_grow_with_the_items_due(
    client: Client,
    operator: User,
    client_user: User,
    engagements: int,
    django_assert_num_queries,
) -> None:
    for index in range(engagements):
        started(Organization.objects.create(name=f"Client {index}"), operator, days_ago=1)
    ChecklistItem.objects.filter(owner_side="client").update(owner=client_user)
    client.force_login(operator)
    client.get(URL)  # the session, now in the cache
    # user, the count, the page with its owners, its organisations
    with django_assert_num_queries(4):
        page = client.get(URL)
    assert page.status_code == 200
    shown = page.context["page"].object_list
    assert {item.checklist.engagement.organization.name for item in shown} == {
        f"Client {index}" for index in range(engagements)
    }
    assert client_user in {item.owner for item in shown}


@pytest.mark.usefixtures("_template")
def test_the_list_is_an_operator_page_and_its_old_address_redirects(client: Client) -> None:
    assert URL == "/ops/due-this-week/"
    moved = client.get("/portal/due-this-week/?page=2")
    assert moved.status_code == 301
    assert moved["Location"] == "/ops/due-this-week/?page=2"


def test_an_htmx_change_is_said_in_the_live_region_and_a_refusal_is_not(
    client: Client, checklist: Checklist, client_user: User
) -> None:
    """The item is swapped in place; what changed goes to the page's live region (#announcer,
    out of band), which stays put, so a screen reader reads it out. A refusal is read out by
    its own role="alert" instead."""
    client.force_login(client_user)
    access = item(checklist, "access_granted")
    url = reverse("checklists:item_status", args=[access.pk])
    reply = client.post(url, {"status": "in_progress", "version": "1"}, headers=HTMX)
    assert reply.status_code == 200
    assert (
        f'<div id="announcer" hx-swap-oob="innerHTML">{access.title}: Status saved.</div>'
        in reply.text
    )
    refused = client.post(url, {"status": "blocked", "version": "2"}, headers=HTMX)
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "announcer" not in refused.text
    page = client.get(reverse("checklists:detail", args=[checklist.engagement_id]))
    assert page.text.count('id="announcer"') == 1  # the page's own region, once
