"""Checklists on PostgreSQL: applying templates, evidence before done, uploads kept private,
stale saves, who may change what, isolation on every endpoint, reminders, query counts."""

from __future__ import annotations

import copy
import datetime
import importlib
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.checklists import services
from cto.checklists.models import (
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    Evidence,
)
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.core.versioning import publish_version, store_version
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping
from cto.users.models import Organization, User
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def private_root(settings) -> Path:
    """Where evidence files are stored (make test points PRIVATE_ROOT at a folder of its own)."""
    return Path(settings.PRIVATE_ROOT)


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def template() -> ChecklistTemplateVersion:
    checklist_template_load_shipped(publish=True)
    return services.current_template()


@pytest.fixture
def checklist(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User
) -> Checklist:
    Engagement.objects.filter(pk=engagement.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    engagement.refresh_from_db()
    return services.checklist_apply(engagement=engagement, by=operator).checklist


def item(checklist: Checklist, key: str) -> ChecklistItem:
    return checklist.items.get(key=key)


def publish_edit(change) -> ChecklistTemplateVersion:  # type: ignore[no-untyped-def]
    definition = read_yaml_mapping((PLAYBOOKS_DIR / "checklists" / "week-one.yaml").read_bytes())
    edited = copy.deepcopy(definition)
    change(edited)
    version, _ = store_version(
        parent_model=ChecklistTemplate,
        version_model=ChecklistTemplateVersion,
        parent_field="template",
        slug="week-one",
        title="Week-one deliverables",
        definition=edited,
        source_name="test",
        by=None,
    )
    publish_version(version=version, by=None)
    return version


# --- Applying ------------------------------------------------------------------------------------


def test_becoming_active_applies_the_template_for_the_engagements_kind(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User
) -> None:
    for stage in ("qualified", "proposal", "active"):
        engagement = engagement_transition(engagement=engagement, to=stage, by=operator)
    checklist = Checklist.objects.get(engagement=engagement)
    assert checklist.items.count() == len(template.parsed().items_for("ai")) == 19
    assert checklist.items.filter(key="first_trace").exists()


def test_a_generic_engagement_gets_the_common_items_only(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User
) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(kind="generic")
    engagement.refresh_from_db()
    report = services.checklist_apply(engagement=engagement, by=operator)
    assert report.checklist.items.count() == 8
    assert not report.checklist.items.filter(key="first_trace").exists()


def test_reapplying_a_newer_version_keeps_progress(checklist: Checklist, operator: User) -> None:
    review = item(checklist, "architecture_review")
    services.evidence_add(item=review, url="https://docs.example/review", by=operator)
    services.item_set_status(
        item=review,
        status="done",
        effective_date=timezone.localdate(),
        expected_version=None,
        by=operator,
    )

    def change(definition: dict) -> None:
        for raw in definition["items"]:
            if raw["key"] == "architecture_review":
                raw["title"] = "Architecture review, with diagrams"
        definition["items"] = [raw for raw in definition["items"] if raw["key"] != "hiring_plan"]
        definition["items"].append(
            {
                "key": "on_call",
                "applies_to": "all",
                "section": "Delivery",
                "title": "On-call rota",
                "done_when": "A rota",
                "owner": "client",
                "due_day": 5,
            }
        )

    newer = publish_edit(change)
    report = services.checklist_apply(engagement=checklist.engagement, by=operator)
    assert report.added == ["on_call"]
    assert "architecture_review" in report.updated
    assert report.not_in_template == ["hiring_plan"]
    review.refresh_from_db()
    assert (review.title, review.status, review.evidence.count()) == (
        "Architecture review, with diagrams",
        "done",
        1,
    )
    checklist.refresh_from_db()
    assert checklist.template_version == newer


# --- Done needs evidence -------------------------------------------------------------------


# --- The earliest open day the dashboard reads ----------------------------------------------------


def earliest_open_day(checklist: Checklist) -> int | None:
    checklist.refresh_from_db(fields=["earliest_open_day"])
    return checklist.earliest_open_day


def finish(checklist: Checklist, *, day: int, by: User) -> None:
    """Every live item due on ``day`` marked not applicable, through the service."""
    for due in checklist.items.live().filter(due_day=day):
        services.item_set_status(
            item=due, status="not_applicable", reason="Not here", expected_version=None, by=by
        )


def test_every_item_change_keeps_the_earliest_open_day(
    checklist: Checklist, operator: User
) -> None:
    days = sorted({i.due_day for i in checklist.items.all()})
    assert days[:2] == [1, 2]
    assert earliest_open_day(checklist) == 1  # from checklist_apply

    finish(checklist, day=1, by=operator)
    assert earliest_open_day(checklist) == 2

    reopened = checklist.items.filter(due_day=1).first()
    services.item_set_status(item=reopened, status="todo", expected_version=None, by=operator)
    assert earliest_open_day(checklist) == 1

    services.item_drop(item=reopened, reason="Out of scope", expected_version=None, by=operator)
    assert earliest_open_day(checklist) == 2

    services.item_add(
        checklist=checklist,
        section="Extra",
        title="Kick-off notes",
        done_when="Shared with the client",
        owner_side="practice",
        due_day=1,
        by=operator,
    )
    assert earliest_open_day(checklist) == 1

    for day in range(1, 6):
        finish(checklist, day=day, by=operator)
    assert earliest_open_day(checklist) is None  # nothing open: not in the dashboard's index


def test_the_migration_fills_the_earliest_open_day_of_existing_checklists(
    checklist: Checklist, operator: User
) -> None:
    from django.apps import apps

    fill = importlib.import_module(
        "cto.checklists.migrations.0003_checklist_earliest_open_day"
    ).earliest_open_day_fill
    finish(checklist, day=1, by=operator)
    Checklist.objects.update(earliest_open_day=None)  # as before the migration
    fill(apps, None)
    assert earliest_open_day(checklist) == 2


def test_done_without_evidence_is_refused(checklist: Checklist, operator: User) -> None:
    review = item(checklist, "architecture_review")
    with pytest.raises(services.ChecklistError, match="Done needs evidence"):
        services.item_set_status(
            item=review,
            status="done",
            effective_date=timezone.localdate(),
            expected_version=1,
            by=operator,
        )
    review.refresh_from_db()
    assert review.status == "todo"


def test_done_needs_an_effective_date_that_is_not_in_the_future(
    checklist: Checklist, operator: User
) -> None:
    review = item(checklist, "architecture_review")
    services.evidence_add(item=review, note="Reviewed with the team on Monday", by=operator)
    with pytest.raises(services.ChecklistError, match="effective date"):
        services.item_set_status(item=review, status="done", expected_version=None, by=operator)
    with pytest.raises(services.ChecklistError, match="cannot be in the future"):
        services.item_set_status(
            item=review,
            status="done",
            expected_version=None,
            by=operator,
            effective_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    done = services.item_set_status(
        item=review,
        status="done",
        expected_version=None,
        by=operator,
        effective_date=timezone.localdate(),
    )
    assert (done.status, done.done_by, done.done_at is not None) == ("done", operator, True)


def test_blocked_needs_a_reason(checklist: Checklist, operator: User) -> None:
    with pytest.raises(services.ChecklistError, match="needs a reason"):
        services.item_set_status(
            item=item(checklist, "risk_map"), status="blocked", expected_version=None, by=operator
        )


# --- Uploads ------------------------------------------------------------------------------


def test_an_uploaded_pdf_is_stored_privately_under_a_random_name(
    checklist: Checklist, operator: User, private_root: Path
) -> None:
    evidence = services.evidence_add(
        item=item(checklist, "risk_map"),
        upload=SimpleUploadedFile("../../Risk map.pdf", PDF, content_type="application/pdf"),
        by=operator,
    )
    assert (evidence.kind, evidence.original_name, evidence.size) == (
        "file",
        "Risk map.pdf",
        len(PDF),
    )
    stored = private_root / evidence.file.name
    assert stored.read_bytes() == PDF
    assert "Risk map" not in evidence.file.name
    with pytest.raises(ValueError, match="not accessible via a URL"):
        evidence.file.url  # noqa: B018  # no public URL exists


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100, "not really a .pdf"),
        ("setup.exe", b"MZ\x90\x00", "not accepted"),
        ("huge.pdf", b"%PDF-1.7" + b"0" * 2000, "the limit is"),
    ],
)
def test_disguised_and_oversized_uploads_are_refused(
    checklist: Checklist,
    operator: User,
    settings,
    private_root: Path,
    name: str,
    content: bytes,
    message: str,
) -> None:
    settings.EVIDENCE_MAX_BYTES = 1000
    before = stored_files(private_root)
    with pytest.raises(services.ChecklistError, match=message):
        services.evidence_add(
            item=item(checklist, "risk_map"), upload=SimpleUploadedFile(name, content), by=operator
        )
    assert not Evidence.objects.exists()
    assert stored_files(private_root) == before


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


# --- Who may change what, stale saves, isolation -------------------------------------------------


def test_clients_work_on_their_sides_items_only(checklist: Checklist, client_user: User) -> None:
    services.evidence_add(item=item(checklist, "access_granted"), note="Granted", by=client_user)
    with pytest.raises(services.ChecklistError, match="the practice's to do"):
        services.evidence_add(item=item(checklist, "risk_map"), note="Sneaky", by=client_user)


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


# --- Reminders -----------------------------------------------------------------------------------


def test_reminders_send_one_email_per_owner(
    checklist: Checklist, operator: User, client_user: User
) -> None:
    services.item_set_owner(
        item=item(checklist, "access_granted"),
        owner=client_user,
        expected_version=None,
        by=operator,
    )  # day 1: overdue
    services.item_set_owner(
        item=item(checklist, "data_allowed"), owner=client_user, expected_version=None, by=operator
    )  # day 3: due today
    services.item_set_owner(
        item=item(checklist, "risk_map"), owner=operator, expected_version=None, by=operator
    )  # day 4: due tomorrow
    services.item_set_owner(
        item=item(checklist, "hiring_plan"), owner=operator, expected_version=None, by=operator
    )  # day 5: later
    assert services.reminders_send() == 2
    by_owner = {message.to[0]: message for message in mail.outbox}
    assert set(by_owner) == {client_user.email, operator.email}
    assert "Access to code, cloud and tools" in by_owner[client_user.email].body
    assert "What data is allowed in" not in by_owner[client_user.email].body
    assert by_owner[operator.email].subject == "Week-one checklist: 0 overdue, 1 due tomorrow"


def test_no_reminders_when_nothing_is_due(checklist: Checklist) -> None:
    assert services.reminders_send() == 0
    assert mail.outbox == []


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
