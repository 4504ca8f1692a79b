"""/api/v1/ checklists: scoped as the checklist page is; an item's status and evidence with the
page's rules (done needs evidence, stale writes, the client's side only, the upload checks)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.checklists import services
from cto.checklists.models import Checklist, ChecklistItem, Evidence
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.engagements.models import ActivityEvent, Engagement
from cto.users.models import User
from tests import evidence_files
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import WriterFor, fields, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(engagement: Engagement, operator: User) -> Checklist:
    checklist_template_load_shipped(publish=True)
    return services.checklist_apply(engagement=engagement, by=operator).checklist


@pytest.fixture
def foreign_checklist(foreign_engagement: Engagement, operator: User, checklist: Checklist):  # type: ignore[no-untyped-def]
    return services.checklist_apply(engagement=foreign_engagement, by=operator).checklist


def _item(checklist: Checklist, key: str) -> ChecklistItem:
    return checklist.items.get(key=key)


def _patch(client: Client, item: ChecklistItem, body: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.patch(
        f"/api/v1/checklist-items/{item.pk}",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def _evidence(client: Client, item: ChecklistItem, data: dict[str, object], headers):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/checklist-items/{item.pk}/evidence", data, headers=headers)


def _stored(settings: Settings) -> set[Path]:
    return {path for path in Path(settings.PRIVATE_ROOT).rglob("*") if path.is_file()}


def test_a_client_reads_their_checklist_as_the_page_lists_it(
    client: Client,
    client_user: User,
    checklist: Checklist,
    foreign_checklist: Checklist,
    bearer_for: BearerFor,
) -> None:
    headers = bearer_for(client_user)
    body = client.get(
        f"/api/v1/engagements/{checklist.engagement_id}/checklist", headers=headers
    ).json()
    live = list(checklist.items.live().order_by("position", "id"))
    assert [item["id"] for item in body["items"]] == [item.pk for item in live]
    assert body["progress"] == {"finished": 0, "total": len(live), "percent": 0}
    assert body["items"][0]["version"] == 1
    url = f"/api/v1/engagements/{foreign_checklist.engagement_id}/checklist"
    problem(client.get(url, headers=headers), 404)
    assert client.get(url).status_code == 401


def test_the_checklist_costs_a_fixed_number_of_queries(
    client: Client,
    operator: User,
    checklist: Checklist,
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    for key in ("risk_map", "access_granted"):
        services.evidence_add(item=_item(checklist, key), note="Proof", by=operator)
    headers = bearer_for(operator)
    url = f"/api/v1/engagements/{checklist.engagement_id}/checklist"
    client.get(url, headers=headers)
    # The token with its owner, the checklist, its items with their people, their evidence.
    with django_assert_num_queries(4):  # type: ignore[operator]  # pytest-django's fixture
        body = client.get(url, headers=headers).json()
    assert sum(len(item["evidence"]) for item in body["items"]) == 2


def test_a_client_moves_their_item_and_the_timeline_names_the_token(
    client: Client, client_user: User, checklist: Checklist, writer_for: WriterFor
) -> None:
    access = _item(checklist, "access_granted")
    response = _patch(
        client, access, {"status": "in_progress", "version": 1}, writer_for(client_user)
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("in_progress", 2)
    access.refresh_from_db()
    assert access.status == "in_progress"
    event = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.CHECKLIST_CHANGED).latest("id")
    assert event.actor == client_user
    assert event.data["via"]["token"] == "test"
    assert event.data["change"].endswith("marked in progress")


def test_done_needs_evidence_and_a_date_as_on_the_page(
    client: Client, client_user: User, checklist: Checklist, writer_for: WriterFor
) -> None:
    access = _item(checklist, "access_granted")
    headers = writer_for(client_user)
    today = timezone.localdate().isoformat()
    body = problem(
        _patch(client, access, {"status": "done", "effective_date": today, "version": 1}, headers),
        422,
    )
    assert body["detail"].startswith("Done needs evidence")
    response = _evidence(client, access, {"url": "https://example.com/grant"}, headers)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "link"
    # Evidence bumps the version: the item read before it is stale now.
    assert (
        problem(
            _patch(
                client, access, {"status": "done", "effective_date": today, "version": 1}, headers
            ),
            409,
        )["current"]["version"]
        == 2
    )
    assert problem(_patch(client, access, {"status": "done", "version": 2}, headers), 422)[
        "detail"
    ].startswith("Done needs the date")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert (
        problem(
            _patch(
                client,
                access,
                {"status": "done", "effective_date": tomorrow, "version": 2},
                headers,
            ),
            422,
        )["detail"]
        == "The effective date cannot be in the future."
    )
    done = _patch(
        client, access, {"status": "done", "effective_date": today, "version": 2}, headers
    )
    assert done.status_code == 200
    assert done.json()["done_by"] == str(client_user)


def test_a_stale_write_is_409_with_the_item_as_it_stands(
    client: Client, client_user: User, operator: User, checklist: Checklist, writer_for: WriterFor
) -> None:
    access = _item(checklist, "access_granted")
    services.item_set_status(item=access, status="in_progress", expected_version=1, by=operator)
    body = problem(
        _patch(
            client,
            access,
            {"status": "blocked", "reason": "x", "version": 1},
            writer_for(client_user),
        ),
        409,
    )
    assert body["detail"].startswith("Someone changed this item since you opened the page")
    assert (body["current"]["status"], body["current"]["version"]) == ("in_progress", 2)
    access.refresh_from_db()
    assert access.status == "in_progress"


def test_a_client_may_not_change_the_practices_items(
    client: Client, client_user: User, checklist: Checklist, writer_for: WriterFor
) -> None:
    review = _item(checklist, "architecture_review")
    assert review.owner_side == "practice"
    headers = writer_for(client_user)
    for response in (
        _patch(client, review, {"status": "in_progress", "version": 1}, headers),
        _evidence(client, review, {"note": "Done"}, headers),
    ):
        assert problem(response, 422)["detail"].startswith("This item is the practice's to do")
    review.refresh_from_db()
    assert (review.status, review.version) == ("todo", 1)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "finished", "version": 1}, "body.status"),
        ({"status": "todo"}, "body.version"),
        ({"status": "todo", "version": 0}, "body.version"),
        ({"status": "done", "effective_date": "24/11/2026", "version": 1}, "body.effective_date"),
        ({"status": "blocked", "reason": "x" * 2001, "version": 1}, "body.reason"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: Client,
    client_user: User,
    checklist: Checklist,
    writer_for: WriterFor,
    body: dict[str, object],
    field: str,
) -> None:
    access = _item(checklist, "access_granted")
    assert fields(_patch(client, access, body, writer_for(client_user))) == [field]
    access.refresh_from_db()
    assert access.version == 1


def test_blocked_needs_a_reason(
    client: Client, client_user: User, checklist: Checklist, writer_for: WriterFor
) -> None:
    access = _item(checklist, "access_granted")
    response = _patch(client, access, {"status": "blocked", "version": 1}, writer_for(client_user))
    assert problem(response, 422)["detail"].startswith("Please say why")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("proof.pdf", evidence_files.pdf_with_javascript, "That PDF contains JavaScript"),
        ("proof.docx", evidence_files.docx_with_macro, "contains macros"),
        ("proof.docx", evidence_files.zip_bomb, "inflates to more than 100 times its size"),
        ("proof.pdf", lambda: b"MZ\x90\x00", "not really a .pdf"),
    ],
)
def test_files_the_page_refuses_are_refused_and_nothing_is_kept(
    client: Client,
    client_user: User,
    checklist: Checklist,
    writer_for: WriterFor,
    settings: Settings,
    name: str,
    make: Callable[[], bytes],
    message: str,
) -> None:
    before = _stored(settings)
    data = {"file": SimpleUploadedFile(name, make()), "note": "see the file"}
    response = _evidence(client, _item(checklist, "access_granted"), data, writer_for(client_user))
    assert message in problem(response, 422)["detail"]
    assert not Evidence.objects.exists()  # nor the note sent with it
    assert _stored(settings) == before


def test_a_file_over_the_limit_is_dropped_as_it_arrives(
    client: Client,
    client_user: User,
    checklist: Checklist,
    writer_for: WriterFor,
    settings: Settings,
) -> None:
    # The upload handler drops at the larger of the evidence and receipt limits.
    settings.EVIDENCE_MAX_BYTES = settings.RECEIPT_MAX_BYTES = 1000
    data = {"file": SimpleUploadedFile("big.pdf", evidence_files.padded_pdf(5000)), "note": "x"}
    response = _evidence(client, _item(checklist, "access_granted"), data, writer_for(client_user))
    assert "larger than" in problem(response, 422)["detail"]
    assert not Evidence.objects.exists()


def test_a_clean_file_is_kept_as_uploaded(
    client: Client, client_user: User, checklist: Checklist, writer_for: WriterFor
) -> None:
    data = {"file": SimpleUploadedFile("proof.pdf", evidence_files.clean_pdf())}
    response = _evidence(client, _item(checklist, "access_granted"), data, writer_for(client_user))
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["name"]) == ("file", "proof.pdf")
    with Evidence.objects.get().file.open("rb") as stored:
        assert stored.read() == evidence_files.clean_pdf()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Add a link, a note or a file."),
        ({"url": "not a link"}, None),
        ({"note": "x" * 4001}, None),
    ],
)
def test_empty_or_bad_evidence_is_422(
    client: Client,
    client_user: User,
    checklist: Checklist,
    writer_for: WriterFor,
    data: dict[str, object],
    message: str | None,
) -> None:
    response = _evidence(client, _item(checklist, "access_granted"), data, writer_for(client_user))
    body = problem(response, 422)
    if message:
        assert body["detail"] == message
    else:
        assert [error["field"] for error in body["errors"]] == [f"body.{next(iter(data))}"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("write", ["patch", "evidence"])
def test_a_foreign_item_is_404_and_a_read_token_is_403(
    client: Client,
    client_user: User,
    checklist: Checklist,
    foreign_checklist: Checklist,
    bearer_for: BearerFor,
    writer_for: WriterFor,
    write: str,
) -> None:
    def send(item: ChecklistItem, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        if write == "patch":
            return _patch(client, item, {"status": "in_progress", "version": 1}, headers)
        return _evidence(client, item, {"note": "Proof"}, headers)

    problem(send(_item(foreign_checklist, "access_granted"), writer_for(client_user)), 404)
    problem(send(_item(checklist, "access_granted"), bearer_for(client_user)), 403)
    assert not Evidence.objects.exists()
    assert not ChecklistItem.objects.filter(status="in_progress").exists()
