"""cto/checklists/services.py on PostgreSQL: applying templates, evidence before done, uploads
kept private, who may change what, the earliest open day, reminders."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cto.checklists import services
from cto.checklists.models import Checklist, ChecklistTemplate, ChecklistTemplateVersion, Evidence
from cto.core.versioning import publish_version, store_version
from cto.engagements.models import Engagement
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping
from cto.users.models import User
from tests.checklists.conftest import earliest_open_day, finish, item
from tests.evidence_files import clean_pdf
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
PDF = clean_pdf()


@pytest.fixture
def private_root(settings) -> Path:
    """Where evidence files are stored (make test points PRIVATE_ROOT at a folder of its own)."""
    return Path(settings.PRIVATE_ROOT)


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


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


# --- Who may change what, stale saves, isolation -------------------------------------------------


def test_clients_work_on_their_sides_items_only(checklist: Checklist, client_user: User) -> None:
    services.evidence_add(item=item(checklist, "access_granted"), note="Granted", by=client_user)
    with pytest.raises(services.ChecklistError, match="the practice's to do"):
        services.evidence_add(item=item(checklist, "risk_map"), note="Sneaky", by=client_user)


# --- Reminders -----------------------------------------------------------------------------------


def test_reminders_send_one_email_per_owner(
    checklist: Checklist, operator: User, client_user: User
) -> None:
    checklist.items.update(owner=None)  # only the owners set below
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
    assert by_owner[operator.email].subject == "[cto] Week-one checklist: 0 overdue, 1 due tomorrow"


def test_no_reminders_when_nothing_is_due(checklist: Checklist) -> None:
    assert checklist.items.filter(owner__isnull=False).exists()
    Engagement.objects.filter(pk=checklist.engagement_id).update(
        start_date=timezone.localdate() + datetime.timedelta(days=10)
    )
    assert services.reminders_send() == 0
    assert mail.outbox == []


# --- Owners and working days when applying -------------------------------------------------------


def test_applying_assigns_client_items_to_the_contact_and_practice_items_to_the_lead(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User, client_user: User
) -> None:
    contact = MembershipFactory(organization=engagement.organization).user
    Engagement.objects.filter(pk=engagement.pk).update(contact=contact)
    engagement.refresh_from_db()

    checklist = services.checklist_apply(engagement=engagement, by=operator).checklist

    owners = {(i.owner_side, i.owner_id) for i in checklist.items.all()}
    assert owners == {("client", contact.pk), ("practice", operator.pk)}
    assert checklist.engagement.events.filter(verb="checklist.changed").count() == 1


def test_without_a_contact_client_items_go_to_the_first_member(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User, client_user: User
) -> None:
    MembershipFactory(organization=engagement.organization)  # joined later
    checklist = services.checklist_apply(engagement=engagement, by=operator).checklist
    assert set(checklist.items.filter(owner_side="client").values_list("owner", flat=True)) == {
        client_user.pk
    }


def test_reapplying_keeps_an_owner_changed_by_hand(
    checklist: Checklist, operator: User, client_user: User
) -> None:
    access = item(checklist, "access_granted")
    services.item_set_owner(item=access, owner=operator, expected_version=None, by=operator)
    publish_edit(
        lambda d: next(i for i in d["items"] if i["key"] == "access_granted").update(
            title="Access to code, cloud, tools and data"
        )
    )
    report = services.checklist_apply(engagement=checklist.engagement, by=operator)
    assert report.updated == ["access_granted"]
    assert item(checklist, "access_granted").owner == operator


FRIDAY = datetime.date(2026, 12, 4)


def test_a_due_day_on_a_weekend_moves_to_the_next_working_day(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User, settings
) -> None:
    settings.CHECKLIST_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri"]
    Engagement.objects.filter(pk=engagement.pk).update(start_date=FRIDAY)
    engagement.refresh_from_db()

    checklist = services.checklist_apply(engagement=engagement, by=operator).checklist

    # Day 1 is Friday; days 2 and 3 (Saturday, Sunday) become day 4, Monday.
    assert item(checklist, "access_granted").due_date() == FRIDAY
    assert item(checklist, "readiness_audit").due_day == 4
    assert item(checklist, "use_cases").due_date() == datetime.date(2026, 12, 7)
    assert item(checklist, "risk_map").due_date() == datetime.date(2026, 12, 7)
    assert item(checklist, "hiring_plan").due_date() == datetime.date(2026, 12, 8)
    assert {i.due_date().weekday() for i in checklist.items.all()} <= {0, 1, 2, 3, 4}  # type: ignore[union-attr]  # every item has a date
    # Applied again, the moved days are what the template asks for: nothing to update.
    assert services.checklist_apply(engagement=engagement, by=operator).updated == []


def test_the_working_days_are_a_setting(
    template: ChecklistTemplateVersion, engagement: Engagement, operator: User, settings
) -> None:
    settings.CHECKLIST_WORKING_DAYS = ["sun", "mon", "tue", "wed", "thu"]
    Engagement.objects.filter(pk=engagement.pk).update(start_date=FRIDAY)
    engagement.refresh_from_db()

    checklist = services.checklist_apply(engagement=engagement, by=operator).checklist

    assert item(checklist, "access_granted").due_date() == datetime.date(2026, 12, 6)  # Sunday
    assert item(checklist, "readiness_audit").due_date() == datetime.date(2026, 12, 6)
