"""cto/receipts/views.py: uploads on the plan page (with and without htmx), the kept file
downloaded only by who may see the plan, failing cases proposed, the trace drawn."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from cto.aiplan.models import AIPlan, EvalGate, FailureModeProposal
from cto.engagements.models import Engagement
from cto.receipts import services
from cto.receipts.models import Receipt
from cto.receipts.selectors import NARROW_WIDTH
from cto.users.models import User
from tests.receipts.conftest import FIXTURES, upload

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def upload_url(gate: EvalGate) -> str:
    return reverse("receipts:upload", args=[gate.plan_id, gate.pk])


def test_a_client_uploads_a_result_without_javascript_and_sees_its_verdict_and_source(
    client: Client, client_user: User, golden: EvalGate
) -> None:
    client.force_login(client_user)

    reply = client.post(upload_url(golden), {"file": upload("promptfoo/results-fail.json")})

    assert reply.status_code == 303
    receipt = Receipt.objects.get()
    assert receipt.uploaded_by == client_user
    page = client.get(reply["Location"]).text
    sha = hashlib.sha256((FIXTURES / "promptfoo/results-fail.json").read_bytes()).hexdigest()
    assert (
        f'0.7 from 7 of 10 cases\n              <span class="muted">(promptfoo 0.121.20, '
        f"results-fail.json, sha256 {sha[:4]}…)</span>"
    ) in page
    assert "Failing and blocking release: Golden-set accuracy." in page
    assert page.count("Propose as a failure mode") == 3
    assert receipt.download_url in page


def test_an_htmx_upload_answers_with_the_gates_part(
    client: Client, operator: User, golden: EvalGate
) -> None:
    client.force_login(operator)

    reply = client.post(upload_url(golden), {"file": upload("junit/junit-pass.xml")}, headers=HTMX)

    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<section id="gates"')
    assert "1 from 3 of 3 cases" in reply.text
    assert "Every release-blocking gate has a passing result." in reply.text


def test_a_hostile_upload_is_refused_on_the_page_with_nothing_kept(
    client: Client, operator: User, golden: EvalGate
) -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><testsuites/>"""
    client.force_login(operator)

    reply = client.post(
        upload_url(golden), {"file": SimpleUploadedFile("junit.xml", laughs)}, headers=HTMX
    )

    assert reply.status_code == 422
    assert "declares a document type or entities" in reply.text
    assert "Nothing was kept." in reply.text
    assert not Receipt.objects.exists()


def test_a_file_dropped_for_its_size_is_named_and_nothing_kept(
    client: Client, operator: User, golden: EvalGate, settings
) -> None:
    settings.RECEIPT_MAX_BYTES = settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(operator)

    reply = client.post(
        upload_url(golden), {"file": upload("promptfoo/results-pass.json")}, headers=HTMX
    )

    assert reply.status_code == 422
    assert "The file is larger than the 0 MB limit." in reply.text
    assert not Receipt.objects.exists()


def test_a_needs_review_blocker_is_not_passing_on_the_page(
    client: Client, operator: User, golden: EvalGate
) -> None:
    services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-unknown-version.json"), by=operator
    )
    client.force_login(operator)

    page = client.get(reverse("aiplan:detail", args=[golden.plan_id])).text

    assert "Blocking release, its result needing review: Golden-set accuracy." in page
    assert "needs review: results-unknown-version.json is a promptfoo results file" in page
    assert "Every release-blocking gate has a passing result." not in page


def test_a_claim_is_shown_as_measured_elsewhere(
    client: Client, operator: User, golden: EvalGate
) -> None:
    client.force_login(operator)
    client.post(
        reverse("aiplan:gate_result", args=[golden.plan_id, golden.pk]),
        {"value": "0.95", "note": "vendor dashboard", "version": golden.version},
    )

    page = client.get(reverse("aiplan:detail", args=[golden.plan_id])).text

    assert "claimed: 0.95, measured elsewhere (vendor dashboard)" in page


def test_the_kept_file_is_downloaded_as_it_came_and_only_by_who_may_see_the_plan(
    client: Client, client_user: User, golden: EvalGate, foreign_engagement: Engagement
) -> None:
    receipt = services.receipt_add(
        gate=golden, upload=upload("inspect/capitals-fail.eval"), by=client_user
    )
    client.force_login(client_user)

    reply = client.get(receipt.download_url)

    assert reply.status_code == 200
    assert (
        b"".join(reply.streaming_content) == (FIXTURES / "inspect/capitals-fail.eval").read_bytes()
    )
    assert reply["Content-Disposition"] == 'attachment; filename="capitals-fail.eval"'
    assert "no-store" in reply["Cache-Control"]
    stranger = User.objects.create_user(email="stranger@example.com", password="x")
    foreign_engagement.organization.memberships.create(user=stranger, role="member")
    client.force_login(stranger)
    assert client.get(receipt.download_url).status_code == 404
    assert (
        client.post(upload_url(golden), {"file": upload("junit/junit-pass.xml")}).status_code == 404
    )
    assert Receipt.objects.count() == 1


def test_a_failing_case_is_proposed_from_the_page(
    client: Client, client_user: User, golden: EvalGate
) -> None:
    receipt = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=client_user
    )
    case = receipt.failing_cases[0]
    client.force_login(client_user)

    reply = client.post(
        reverse("receipts:propose", args=[golden.plan_id, receipt.pk]),
        {"case_id": case["id"]},
        headers=HTMX,
    )

    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<section id="failure-modes"')
    proposal = FailureModeProposal.objects.get()
    assert (proposal.receipt, proposal.case_id) == (receipt, case["id"])
    assert escape(proposal.title) in reply.text


def test_a_trace_is_drawn_as_a_waterfall_with_its_table(
    client: Client, client_user: User, plan: AIPlan
) -> None:
    client.force_login(client_user)

    reply = client.post(
        reverse("receipts:trace_upload", args=[plan.pk]),
        {"file": upload("otlp/trace-pass.jsonl")},
        headers=HTMX,
    )

    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<section id="traces"')
    assert reply.text.count("<svg") == 2  # the wide drawing and the phone's
    assert f'width="{NARROW_WIDTH}"' in reply.text
    assert "invoke_agent support-bot" in reply.text
    assert "execute_tool get_order_status" in reply.text
    receipt = Receipt.objects.get()
    assert (receipt.kind, receipt.gate) == ("trace", None)


def test_the_admin_lists_receipts_and_changes_none(
    client: Client, operator: User, golden: EvalGate
) -> None:
    receipt = services.receipt_add(gate=golden, upload=upload("junit/junit-pass.xml"), by=operator)
    User.objects.filter(pk=operator.pk).update(is_superuser=True)
    client.force_login(operator)

    listing = client.get(reverse("admin:receipts_receipt_changelist"))
    detail = client.get(reverse("admin:receipts_receipt_change", args=[receipt.pk]))

    assert listing.status_code == 200
    assert "junit-pass.xml" in listing.text
    assert detail.status_code == 200
    assert 'type="submit"' not in detail.text.split('id="receipt_form"')[-1]
    assert client.get(reverse("admin:receipts_receipt_add")).status_code == 403
