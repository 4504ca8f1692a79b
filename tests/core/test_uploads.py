"""Uploads over the limit are dropped while they arrive (cto.core.uploads): Django's handlers
never keep more than the limit, the form says why, and nothing of the request is written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import timezone

from cto.checklists import services
from cto.checklists.models import Checklist, Evidence
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.core.uploads import SizeLimitedUploadHandler, upload_max_bytes
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.evidence_files import padded_pdf

pytestmark = pytest.mark.django_db
LIMIT = 2_000_000
HTMX = {"HX-Request": "true"}


class Kept(MemoryFileUploadHandler):
    """Django's in-memory handler, counting what reaches it."""

    received = 0

    def handle_raw_input(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.activated = True  # kept in memory, whatever the size, to count it all

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        Kept.received += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def pdf(size: int) -> io.BytesIO:
    content = io.BytesIO(padded_pdf(size))
    content.name = "proof.pdf"
    return content


@pytest.fixture(autouse=True)
def _limit(settings) -> None:
    # The handler drops at the larger of the two limits: both at LIMIT here.
    settings.EVIDENCE_MAX_BYTES = LIMIT
    settings.RECEIPT_MAX_BYTES = LIMIT


def test_the_handler_drops_at_the_larger_of_the_evidence_and_receipt_limits(settings) -> None:
    settings.RECEIPT_MAX_BYTES = LIMIT * 2
    assert upload_max_bytes() == LIMIT * 2
    settings.EVIDENCE_MAX_BYTES = LIMIT * 3
    assert upload_max_bytes() == LIMIT * 3


def test_the_handlers_after_it_never_receive_more_than_the_limit() -> None:
    body = encode_multipart(BOUNDARY, {"note": "see attached", "file": pdf(LIMIT * 3)})
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    limited = SizeLimitedUploadHandler()
    Kept.received = 0
    post, files = MultiPartParser(meta, io.BytesIO(body), [limited, Kept()]).parse()
    assert "file" not in files
    assert limited.dropped == {"file"}
    assert post["note"] == "see attached"  # the rest of the form is still read
    assert 0 < Kept.received <= LIMIT


@pytest.fixture
def checklist(engagement: Engagement, operator: User) -> Checklist:
    checklist_template_load_shipped(publish=True)
    Engagement.objects.filter(pk=engagement.pk).update(start_date=timezone.localdate())
    engagement.refresh_from_db()
    return services.checklist_apply(engagement=engagement, by=operator).checklist


def add_evidence(client: Client, checklist: Checklist, size: int):  # type: ignore[no-untyped-def]
    item = checklist.items.get(key="risk_map")
    url = reverse("checklists:item_evidence", args=[item.pk])
    return client.post(url, {"note": "The map", "file": pdf(size)}, headers=HTMX)


def test_an_evidence_file_over_the_limit_is_refused_with_its_reason_and_nothing_kept(
    client: Client, checklist: Checklist, operator: User, settings
) -> None:
    private = set(Path(settings.PRIVATE_ROOT).rglob("*"))
    client.force_login(operator)

    reply = add_evidence(client, checklist, LIMIT + 1)

    assert reply.status_code == 422
    assert "The file is larger than the 2 MB limit." in reply.text
    assert not Evidence.objects.exists()  # not even the note sent with it
    assert set(Path(settings.PRIVATE_ROOT).rglob("*")) == private


def test_an_evidence_file_at_the_limit_is_kept(
    client: Client, checklist: Checklist, operator: User
) -> None:
    client.force_login(operator)
    assert add_evidence(client, checklist, LIMIT).status_code == 200
    evidence = Evidence.objects.get()
    assert evidence.file.size == LIMIT
    assert evidence.kind == Evidence.Kind.FILE


def test_a_tree_file_over_the_limit_is_named_in_the_admin(client: Client, operator: User) -> None:
    client.force_login(operator)
    tree = io.BytesIO(b"slug: x\n" + b"#" * (LIMIT + 10))
    tree.name = "tree.yaml"
    reply = client.post(reverse("admin:intake_treeversion_upload"), {"file": tree})
    assert reply.status_code == 200
    assert "Choose a tree file: YAML or JSON, under 512 KB." in reply.text
