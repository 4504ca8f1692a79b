"""The week-one report prints its receipts: the file that decided each gate (tool and version,
hash prefix, cases, value, verdict, date), a claim typed by hand marked as a claim, and the
first trace as a waterfall with its spans, never its prompt text. Read back from the PDF."""

from __future__ import annotations

import re

import pytest

from cto.aiplan.models import EvalGate
from cto.engagements.models import Engagement
from cto.receipts import services as receipt_services
from cto.receipts.models import Receipt
from tests.receipts.conftest import upload
from tests.reports.conftest import Say, rendered, request_final, text_of

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_week_one_report_prints_the_receipts_and_the_first_trace(
    full: tuple[Engagement, Say],
) -> None:
    engagement, _ = full
    operator = engagement.lead
    plan = engagement.ai_plan
    golden = plan.gates.get(key="golden_set")
    eval_receipt = receipt_services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=operator
    )
    trace = receipt_services.trace_add(
        plan=plan, upload=upload("otlp/trace-pass.jsonl"), by=operator
    )
    claimed = plan.gates.exclude(receipts__isnull=False).filter(latest_value__isnull=False).first()
    assert claimed is not None  # the fixture's own gate: a result typed by hand

    data = rendered(request_final(engagement, by=operator))
    text = _flat(text_of(data))

    assert "Receipts" in text
    assert "results-fail.json" in text
    assert f"{eval_receipt.sha256[:12]}…" in text
    assert f"{eval_receipt.passed} of {eval_receipt.cases}" in text
    assert f"promptfoo {eval_receipt.tool_version}" in text
    golden.refresh_from_db()
    assert golden.verdict == "fail"
    # The verdict the plan page, the API and the timeline give (tests/receipts): the same here.
    assert f"Fail {eval_receipt.summary}. From results-fail.json" in text
    # The hand-typed result stays, as a claim.
    assert "measured elsewhere" in text
    assert "no file kept" in text
    # The first trace: its receipt, its spans, none of what was asked or answered.
    assert "The first trace" in text
    assert f"{trace.sha256[:12]}…" in text
    for span in trace.spans:
        assert span["name"].split(" ")[0] in text
    for private in ("PROMPT-TEXT", "4417", "9921"):
        assert private not in text


def test_without_receipts_the_report_has_no_receipts_table(full: tuple[Engagement, Say]) -> None:
    engagement, _ = full
    assert not Receipt.objects.exists()
    text = _flat(text_of(rendered(request_final(engagement, by=engagement.lead))))
    assert "The first trace" not in text
    assert " Receipts " not in text
    assert "measured elsewhere" in text  # the fixture's typed result is still a claim
    assert EvalGate.objects.filter(latest_value__isnull=False).exists()


def test_a_gate_needing_review_is_counted_and_said_so(full: tuple[Engagement, Say]) -> None:
    engagement, _ = full
    golden = engagement.ai_plan.gates.get(key="golden_set")
    receipt = receipt_services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-truncated.json"), by=engagement.lead
    )
    assert receipt.outcome == "needs_review"
    text = _flat(text_of(rendered(request_final(engagement, by=engagement.lead))))
    assert "1 needing review" in text
    # (The file's name may be hyphenated across lines: only its start is looked for.)
    assert f"Needs review {receipt.reason} From results-" in text
