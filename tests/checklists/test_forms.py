"""The checklist's forms refuse hostile values with a message, and its views answer a hostile
POST with that message and 422 (the item for htmx, the page otherwise), writing nothing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.checklists import forms, services
from cto.checklists.models import Checklist, ChecklistItem, Evidence
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.core.forms import first_error
from cto.engagements.models import ActivityEvent, Engagement
from cto.users.models import Organization, User
from tests.users.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def checklist(engagement: Engagement, operator: User) -> Checklist:
    checklist_template_load_shipped(publish=True)
    Engagement.objects.filter(pk=engagement.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    engagement.refresh_from_db()
    return services.checklist_apply(engagement=engagement, by=operator).checklist


@pytest.fixture
def an_item(checklist: Checklist) -> ChecklistItem:
    return checklist.items.order_by("position").first()


@pytest.mark.parametrize("status", ["", "finished", "\x00", "²"])
def test_a_status_is_one_of_the_items_statuses(status: str) -> None:
    form = forms.ItemStatusForm({"status": status})
    assert not form.is_valid()
    assert first_error(form) == "That is not a status."


@pytest.mark.parametrize("day", ["24/11/2026", "2026-02-30", "²", "\x00", "9" * 20, "NaN"])
def test_an_effective_date_is_an_iso_date(day: str) -> None:
    form = forms.ItemStatusForm({"status": "done", "effective_date": day})
    assert not form.is_valid()
    assert first_error(form) == forms.DATE_MESSAGE


def test_a_status_is_read_with_its_date_and_version() -> None:
    form = forms.ItemStatusForm(
        {"status": "done", "effective_date": "2026-11-24", "version": "2", "reason": " x "}
    )
    assert form.is_valid()
    assert form.cleaned_data == {
        "status": "done",
        "reason": "x",
        "effective_date": datetime.date(2026, 11, 24),
        "version": 2,
    }


@pytest.mark.parametrize(
    "data",
    [
        {"url": "javascript:alert(1)"},
        {"url": "https://x.example/" + "a" * 500},
        {"note": "x\x00y"},
        {"note": "n" * 4001},
    ],
)
def test_evidence_refuses_hostile_links_and_notes(data: dict[str, str]) -> None:
    assert not forms.EvidenceForm(data).is_valid()


@pytest.mark.parametrize("owner", ["²", "1.5", "\x00", "9" * 20, "NaN", "stranger"])
def test_an_owner_is_someone_who_may_own_the_item(checklist: Checklist, owner: str) -> None:
    if owner == "stranger":
        owner = str(UserFactory().pk)
    form = forms.ItemOwnerForm({"owner": owner}, checklist=checklist)
    assert not form.is_valid()
    assert "owner" in form.errors


def test_an_owner_of_another_organisation_is_refused(
    checklist: Checklist, other_organization: Organization
) -> None:
    outsider = MembershipFactory(organization=other_organization).user
    form = forms.ItemOwnerForm({"owner": str(outsider.pk)}, checklist=checklist)
    assert not form.is_valid()
    assert "member of the client's organisation" in first_error(form)


def test_an_owner_may_be_a_member_an_operator_or_nobody(
    checklist: Checklist, client_user: User, operator: User
) -> None:
    for owner, expected in (
        ("", None),
        (str(client_user.pk), client_user),
        (operator.pk, operator),
    ):
        form = forms.ItemOwnerForm({"owner": owner}, checklist=checklist)
        assert form.is_valid()
        assert form.cleaned_data["owner"] == expected


@pytest.mark.parametrize("reason", ["", "  ", "\x00", "r" * 2001])
def test_dropping_needs_a_reason(reason: str) -> None:
    assert not forms.ItemDropForm({"reason": reason}).is_valid()


def _new_item(**changes: str) -> dict[str, str]:
    return {
        "section": "Extra",
        "title": "Kick-off notes",
        "done_when": "Shared with the client",
        "owner_side": "practice",
        "due_day": "2",
    } | changes


@pytest.mark.parametrize(
    "day", ["²", "1.5", "", "\x00", "NaN", "Infinity", "1e999", "9" * 20, "0", "6"]
)
def test_a_new_items_due_day_is_1_to_5(day: str) -> None:
    form = forms.ItemAddForm(_new_item(due_day=day))
    assert not form.is_valid()
    assert first_error(form) == forms.DUE_DAY_MESSAGE


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "t\x00"},
        {"title": "t" * 201},
        {"done_when": ""},
        {"section": "s" * 121},
        {"owner_side": "nobody"},
    ],
)
def test_a_new_item_needs_a_title_a_done_when_and_a_side(changes: dict[str, str]) -> None:
    assert not forms.ItemAddForm(_new_item(**changes)).is_valid()


def test_a_new_item_is_typed() -> None:
    form = forms.ItemAddForm(_new_item())
    assert form.is_valid()
    assert form.cleaned_data["due_day"] == 2


# --- The views --------------------------------------------------------------------------------


def _state(checklist: Checklist) -> tuple[object, ...]:
    return (
        list(
            checklist.items.order_by("pk").values_list(
                "status", "version", "owner", "dropped_at", "effective_date"
            )
        ),
        Evidence.objects.count(),
        ActivityEvent.objects.count(),
    )


def _hostile_item_posts(target: ChecklistItem) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "status": (
            reverse("checklists:item_status", args=[target.pk]),
            {"status": "blocked", "reason": "why", "version": "²"},
        ),
        "date": (
            reverse("checklists:item_status", args=[target.pk]),
            {"status": "done", "effective_date": "9" * 20},
        ),
        "evidence": (
            reverse("checklists:item_evidence", args=[target.pk]),
            {"note": "proof\x00"},
        ),
        "owner": (reverse("checklists:item_owner", args=[target.pk]), {"owner": "²"}),
        "owner_id": (reverse("checklists:item_owner", args=[target.pk]), {"owner": "9" * 20}),
    }


@pytest.mark.parametrize("name", ["status", "date", "evidence", "owner", "owner_id"])
@pytest.mark.parametrize("htmx", [True, False])
def test_a_hostile_item_post_answers_422_and_writes_nothing(
    client: Client,
    operator: User,
    checklist: Checklist,
    an_item: ChecklistItem,
    name: str,
    htmx: bool,
) -> None:
    client.force_login(operator)
    url, data = _hostile_item_posts(an_item)[name]
    before = _state(checklist)
    reply = client.post(url, data, headers=HTMX if htmx else {})
    assert reply.status_code == 422
    assert ('class="form-error"' if htmx else "message-error") in reply.text
    assert _state(checklist) == before


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("item_drop", {"reason": "\x00"}),
        ("item_drop", {"reason": "gone", "version": "1.5"}),
        ("item_add", _new_item(due_day="²")),
        ("item_add", _new_item(due_day="9" * 20)),
        ("item_add", _new_item(title="\x00")),
    ],
)
def test_a_hostile_plain_form_answers_the_page_with_422(
    client: Client,
    operator: User,
    checklist: Checklist,
    an_item: ChecklistItem,
    view: str,
    data: dict[str, str],
) -> None:
    client.force_login(operator)
    pk = an_item.pk if view == "item_drop" else checklist.engagement_id
    before = _state(checklist)
    reply = client.post(reverse(f"checklists:{view}", args=[pk]), data)
    assert reply.status_code == 422
    assert "message-error" in reply.text
    assert _state(checklist) == before
