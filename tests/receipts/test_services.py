"""cto/receipts/services.py on PostgreSQL: every format's real files decide their gate, files we
cannot read are kept as needing review, hostile files are refused with nothing written, and
each receipt is kept unchanged with the hash of the bytes that came."""

from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cto.aiplan import services as plan_services
from cto.aiplan.models import AIPlan, EvalGate, FailureModeProposal
from cto.core.storage import private_storage
from cto.engagements.models import ActivityEvent, Engagement
from cto.receipts import services
from cto.receipts.models import Receipt
from cto.users.models import User
from tests.receipts.conftest import FIXTURES, upload

pytestmark = pytest.mark.django_db


def stored_files(engagement: Engagement) -> list[str]:
    storage = private_storage()
    folder = f"receipts/{engagement.pk}"
    return storage.listdir(folder)[1] if storage.exists(folder) else []


@pytest.mark.parametrize(
    ("fixture", "outcome", "value", "cases", "passed", "tool"),
    [
        ("promptfoo/results-pass.json", "pass", "1.0000", 5, 5, "promptfoo 0.121.20"),
        ("promptfoo/results-fail.json", "fail", "0.7000", 10, 7, "promptfoo 0.121.20"),
        ("inspect/capitals-pass.eval", "pass", "1.0000", 5, 5, "inspect_ai 0.3.285"),
        ("inspect/capitals-fail.eval", "fail", "0.6000", 5, 3, "inspect_ai 0.3.285"),
        ("inspect/capitals-pass.json", "pass", "1.0000", 5, 5, "inspect_ai 0.3.285"),
        ("inspect/capitals-fail.json", "fail", "0.6000", 5, 3, "inspect_ai 0.3.285"),
        ("junit/junit-pass.xml", "pass", "1.0000", 3, 3, "pytest"),
        ("junit/junit-mixed.xml", "fail", "0.6667", 9, 6, "pytest"),
    ],
)
def test_each_eval_format_gives_its_gate_the_right_verdict_and_value(
    golden: EvalGate,
    client_user: User,
    fixture: str,
    outcome: str,
    value: str,
    cases: int,
    passed: int,
    tool: str,
) -> None:
    receipt = services.receipt_add(gate=golden, upload=upload(fixture), by=client_user)

    assert (receipt.kind, receipt.outcome, receipt.value) == ("eval", outcome, Decimal(value))
    assert (receipt.cases, receipt.passed) == (cases, passed)
    assert f"{receipt.tool} {receipt.tool_version}".strip() == tool
    assert (receipt.measure, receipt.comparison, receipt.threshold) == (
        "pass_rate",
        ">=",
        Decimal("0.9"),
    )
    golden.refresh_from_db()
    assert (golden.latest_receipt, golden.verdict) == (receipt, outcome)
    assert len(receipt.failing_cases) == cases - passed


@pytest.mark.parametrize(
    ("fixture", "outcome", "value"),
    [("otlp/trace-pass.jsonl", "pass", "1990"), ("otlp/trace-fail.jsonl", "fail", "7680")],
)
def test_a_trace_decides_a_latency_gate_and_keeps_its_spans(
    latency: EvalGate, operator: User, fixture: str, outcome: str, value: str
) -> None:
    receipt = services.receipt_add(gate=latency, upload=upload(fixture), by=operator)

    assert (receipt.kind, receipt.format, receipt.outcome) == ("trace", "otlp", outcome)
    assert receipt.value == Decimal(value)
    assert receipt.summary == f"{value} ms p95 of 1 spans named invoke_agent support-bot"
    assert len(receipt.spans) == 6
    assert {"trace_id", "span_id", "parent_id", "name", "start_ns", "end_ns", "status"} <= set(
        receipt.spans[0]
    )


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("promptfoo/results-unknown-version.json", "we read version 3"),
        ("promptfoo/results-truncated.json", "not valid JSON"),
        ("inspect/capitals-unknown-version.json", "version"),
        ("inspect/capitals-truncated.eval", ""),
        ("junit/junit-truncated.xml", "not well-formed XML"),
    ],
)
def test_malformed_and_unknown_versions_are_kept_as_needing_review(
    golden: EvalGate, operator: User, fixture: str, reason: str
) -> None:
    receipt = services.receipt_add(gate=golden, upload=upload(fixture), by=operator)

    assert (receipt.outcome, receipt.value) == ("needs_review", None)
    assert receipt.reason
    assert reason in receipt.reason
    assert receipt.file.read() == (FIXTURES / fixture).read_bytes()
    golden.refresh_from_db()
    assert golden.verdict == "needs review"


def test_a_gate_without_a_rule_keeps_the_file_as_needing_review(
    plan: AIPlan, operator: User
) -> None:
    gate = plan.gates.get(key="golden_set")
    EvalGate.objects.filter(pk=gate.pk).update(measure="")
    gate.refresh_from_db()

    receipt = services.receipt_add(
        gate=gate, upload=upload("promptfoo/results-pass.json"), by=operator
    )

    assert receipt.outcome == "needs_review"
    assert receipt.reason == services.NO_RULE
    assert receipt.measure == ""


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("header.json", b"0" * (120 * 1024 * 1024))
    return out.getvalue()


def traversal() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        zipped.writestr("../../header.json", b"{}")
    return out.getvalue()


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuites><testsuite><testcase name="&lol2;"/></testsuite></testsuites>"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("log.eval", zip_bomb(), "would inflate"),
        ("log.eval", traversal(), "unsafe name"),
        ("junit.xml", LAUGHS, "declares a document type or entities"),
        ("results.json", b'{"evalId": "x", "results": ' + b"[" * 100 + b"]" * 100 + b"}", "nested"),
    ],
)
def test_hostile_files_are_refused_with_nothing_written(
    golden: EvalGate, operator: User, name: str, content: bytes, message: str
) -> None:
    events = ActivityEvent.objects.count()
    version = golden.version

    with pytest.raises(services.ReceiptError, match=message) as refused:
        services.receipt_add(gate=golden, upload=SimpleUploadedFile(name, content), by=operator)

    assert refused.value.messages[0].endswith("Nothing was kept.")
    assert Receipt.objects.count() == 0
    assert stored_files(golden.plan.engagement) == []
    assert ActivityEvent.objects.count() == events
    golden.refresh_from_db()
    assert (golden.version, golden.latest_receipt) == (version, None)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    golden: EvalGate, operator: User, settings
) -> None:
    settings.RECEIPT_MAX_BYTES = 1000
    big = upload("promptfoo/results-pass.json")
    assert big.size > 1000

    with pytest.raises(services.ReceiptError, match="receipts are read up to 0 MB"):
        services.receipt_add(gate=golden, upload=big, by=operator)
    assert Receipt.objects.count() == 0


def test_a_spent_time_budget_refuses_the_file(golden: EvalGate, operator: User, settings) -> None:
    settings.RECEIPT_PARSE_SECONDS = -1
    with pytest.raises(services.ReceiptError, match="took longer than"):
        services.receipt_add(gate=golden, upload=upload("inspect/capitals-pass.eval"), by=operator)
    assert Receipt.objects.count() == 0


def test_the_stored_hash_is_the_hash_of_the_uploaded_bytes(
    golden: EvalGate, operator: User
) -> None:
    data = (FIXTURES / "promptfoo/results-fail.json").read_bytes()

    receipt = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=operator
    )

    assert receipt.sha256 == hashlib.sha256(data).hexdigest()
    assert receipt.size == len(data)
    with receipt.file.open("rb") as kept:
        assert kept.read() == data
    assert receipt.file.name.startswith(f"receipts/{golden.plan.engagement_id}/")
    assert "results-fail" not in receipt.file.name  # a random name; the upload's is in the row


def test_an_edited_file_is_a_second_receipt_and_the_first_is_untouched(
    golden: EvalGate, operator: User
) -> None:
    original = (FIXTURES / "promptfoo/results-fail.json").read_bytes()
    first = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=operator
    )
    edited = original.replace(b'"promptfooVersion"', b'"promptfooVersion" ', 1)

    second = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json", edited), by=operator
    )

    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.sha256 == hashlib.sha256(original).hexdigest() != second.sha256
    with first.file.open("rb") as kept:
        assert kept.read() == original
    assert list(golden.receipts.values_list("pk", flat=True)) == [second.pk, first.pk]
    golden.refresh_from_db()
    assert golden.latest_receipt == second


def test_a_verdict_change_is_on_the_timeline_with_the_receipt(
    golden: EvalGate, client_user: User, operator: User
) -> None:
    failing = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=client_user
    )
    services.receipt_add(gate=golden, upload=upload("promptfoo/results-fail.json"), by=operator)
    passing = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-pass.json"), by=operator
    )

    changes = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.GATE_VERDICT).order_by("pk")
    assert [(e.data["from"], e.data["to"]) for e in changes] == [
        ("no result", "fail"),
        ("fail", "pass"),
    ]
    assert changes[0].data["sha256"] == failing.sha256[:12]
    assert changes[1].data["value"] == "1"
    assert changes[1].data["sha256"] == passing.sha256[:12]
    assert changes[1].summary == "Eval gate Golden-set accuracy: fail → pass"
    added = ActivityEvent.objects.filter(
        verb=ActivityEvent.Verb.PLAN_CHANGED, data__change__startswith="added a receipt"
    )
    assert added.count() == 3
    assert added.filter(actor=client_user).get().data["change"] == (
        "added a receipt for Golden-set accuracy: 0.7 from 7 of 10 cases"
    )


def test_a_receipt_outranks_the_claim_and_the_claim_is_marked(
    golden: EvalGate, operator: User
) -> None:
    gate = plan_services.gate_result_record(
        gate=golden,
        value=Decimal("0.97"),
        at=None,
        note="Our own harness, run 812",
        expected_version=None,
        by=operator,
    )
    assert (gate.verdict, gate.verdict_source, gate.latest_note) == (
        "pass",
        "claim",
        "Our own harness, run 812",
    )

    services.receipt_add(gate=gate, upload=upload("promptfoo/results-fail.json"), by=operator)

    gate.refresh_from_db()
    assert (gate.verdict, gate.verdict_source, gate.claimed_verdict) == ("fail", "receipt", "pass")
    changes = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.GATE_VERDICT).order_by("pk")
    assert [(e.data["from"], e.data["to"]) for e in changes] == [
        ("no result", "pass"),
        ("pass", "fail"),
    ]


def test_someone_who_cannot_see_the_plan_cannot_add_a_receipt(
    golden: EvalGate, foreign_engagement: Engagement
) -> None:
    stranger = foreign_engagement.organization.memberships.create(
        user=User.objects.create_user(email="stranger@example.com", password="x"), role="member"
    ).user

    with pytest.raises(services.ReceiptError, match="cannot add receipts"):
        services.receipt_add(gate=golden, upload=upload("junit/junit-pass.xml"), by=stranger)
    assert Receipt.objects.count() == 0


def test_a_trace_on_the_plan_has_no_verdict_and_keeps_its_spans(
    plan: AIPlan, client_user: User
) -> None:
    receipt = services.trace_add(plan=plan, upload=upload("otlp/trace-fail.jsonl"), by=client_user)

    assert (receipt.kind, receipt.gate, receipt.outcome, receipt.format) == (
        "trace",
        None,
        "",
        "otlp",
    )
    assert (receipt.tool, receipt.tool_version) == ("opentelemetry", "1.45.2")
    assert len(receipt.spans) == 6
    assert sum(span["status"] == "error" for span in receipt.spans) == 3
    # Only the allow-list: no prompt or completion text is copied.
    assert not any("content" in key for span in receipt.spans for key in span["attributes"])


def test_a_malformed_trace_is_kept_as_needing_review(plan: AIPlan, operator: User) -> None:
    receipt = services.trace_add(
        plan=plan, upload=SimpleUploadedFile("trace.json", b'{"resourceSpans": 3}'), by=operator
    )
    assert (receipt.outcome, receipt.spans) == ("needs_review", [])
    assert receipt.reason


def test_a_failing_case_becomes_a_proposed_failure_mode_once(
    golden: EvalGate, client_user: User
) -> None:
    receipt = services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=client_user
    )
    case = next(c for c in receipt.failing_cases if "Brazil" in c["input"])

    proposal = services.receipt_propose_failure_mode(
        receipt=receipt, case_id=case["id"], by=client_user
    )

    assert (proposal.receipt, proposal.case_id, proposal.status) == (
        receipt,
        case["id"],
        FailureModeProposal.Status.PROPOSED,
    )
    assert proposal.look_first == "eval"
    assert "Input: The capital of Brazil is Rio de Janeiro." in proposal.evidence
    assert 'Reason: Expected output to contain "Brasília"' in proposal.evidence
    assert receipt.sha256[:4] in proposal.evidence
    with pytest.raises(services.ReceiptError, match="already proposed"):
        services.receipt_propose_failure_mode(receipt=receipt, case_id=case["id"], by=client_user)
    with pytest.raises(services.ReceiptError, match="not one of this receipt's failing cases"):
        services.receipt_propose_failure_mode(receipt=receipt, case_id="nope", by=client_user)
