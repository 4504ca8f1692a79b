"""The week-one proofs: the first trace, the first eval and the first failure mode are done by
their receipt (cto/checklists/settling.py, the items' settled_by), never by hand with some
other evidence: "receipts, not claims"."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cto.aiplan import proposals
from cto.aiplan import services as plan_services
from cto.aiplan.models import AIPlan
from cto.checklists import services
from cto.checklists.models import Checklist, ChecklistItem, ChecklistTemplateVersion
from cto.engagements.models import Engagement
from cto.receipts import services as receipt_services
from cto.users.models import User
from tests.receipts.conftest import upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def ai_engagement(engagement: Engagement) -> Engagement:
    Engagement.objects.filter(pk=engagement.pk).update(
        kind="ai", start_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def plan(ai_engagement: Engagement, operator: User) -> AIPlan:
    return plan_services.plan_start(engagement=ai_engagement, by=operator)


@pytest.fixture
def week_one(
    template: ChecklistTemplateVersion, ai_engagement: Engagement, plan: AIPlan, operator: User
) -> Checklist:
    return services.checklist_apply(engagement=ai_engagement, by=operator).checklist


def _item(checklist: Checklist, key: str) -> ChecklistItem:
    return checklist.items.get(key=key)


def _done_by_hand(item: ChecklistItem, by: User) -> ChecklistItem:
    return services.item_set_status(
        item=item, status="done", effective_date=TODAY(), expected_version=None, by=by
    )


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("first_trace", "add a trace (OTLP/JSON) to the AI plan"),
        ("first_eval", "add an eval result (promptfoo, Inspect AI or JUnit)"),
        ("first_failure_mode", "when an operator confirms it into the register"),
    ],
)
def test_a_proof_is_not_done_by_hand_with_other_evidence(
    week_one: Checklist, operator: User, key: str, says: str
) -> None:
    item = _item(week_one, key)
    services.evidence_add(item=item, url="https://traces.example/t/1", note="", by=operator)
    with pytest.raises(services.ChecklistError, match="done by its receipt") as refused:
        _done_by_hand(item, operator)
    assert says in str(refused.value)
    item.refresh_from_db()
    assert item.status == "todo"


def test_a_trace_receipt_settles_the_first_trace_with_itself_as_evidence(
    week_one: Checklist, plan: AIPlan, client_user: User
) -> None:
    receipt = receipt_services.trace_add(
        plan=plan, upload=upload("otlp/trace-pass.jsonl"), by=client_user
    )
    item = _item(week_one, "first_trace")
    assert (item.status, item.done_by) == ("done", client_user)
    [evidence] = item.evidence.all()
    assert f"Trace receipt trace-pass.jsonl (sha256 {receipt.sha256[:12]}…) kept" in evidence.note
    assert _item(week_one, "first_eval").status == "todo"


def test_an_unreadable_trace_settles_nothing(
    week_one: Checklist, plan: AIPlan, operator: User
) -> None:
    receipt_services.trace_add(
        plan=plan, upload=upload("otlp/trace-pass.jsonl", b"{}"), by=operator
    )
    assert _item(week_one, "first_trace").status == "todo"


def test_only_an_eval_receipt_with_a_verdict_settles_the_first_eval(
    week_one: Checklist, plan: AIPlan, operator: User
) -> None:
    golden = plan.gates.get(key="golden_set")
    receipt_services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-truncated.json"), by=operator
    )
    assert _item(week_one, "first_eval").status == "todo"  # needs review is no verdict
    failing = receipt_services.receipt_add(
        gate=golden, upload=upload("promptfoo/results-fail.json"), by=operator
    )
    item = _item(week_one, "first_eval")
    assert item.status == "done"  # a failing eval is a receipt too: it was run and judged
    note = item.evidence.get().note
    assert f"Eval receipt results-fail.json (sha256 {failing.sha256[:12]}…)" in note
    assert f"for the gate {golden.name}: fail, {failing.summary}" in note


def test_a_confirmed_failure_mode_settles_the_third_proof(
    week_one: Checklist, plan: AIPlan, client_user: User, operator: User
) -> None:
    proposal = proposals.failure_mode_propose(
        plan=plan,
        title="Cites a retired policy",
        look_first="retrieval",
        evidence="Seen in staging.",
        by=client_user,
    )
    assert _item(week_one, "first_failure_mode").status == "todo"  # proposed is not enough
    proposals.failure_mode_proposal_confirm(
        proposal=proposal, likelihood=3, impact=4, expected_version=None, by=operator
    )
    item = _item(week_one, "first_failure_mode")
    assert (item.status, item.done_by) == ("done", operator)
    assert "Failure mode “Cites a retired policy” confirmed" in item.evidence.get().note


def test_a_reopened_proof_is_done_again_by_hand_with_its_receipt(
    week_one: Checklist, plan: AIPlan, operator: User
) -> None:
    receipt_services.trace_add(plan=plan, upload=upload("otlp/trace-pass.jsonl"), by=operator)
    item = services.item_set_status(
        item=_item(week_one, "first_trace"),
        status="todo",
        expected_version=None,
        by=operator,
    )
    again = _done_by_hand(item, operator)
    assert again.status == "done"
    assert again.evidence.count() == 1  # the receipt, not written twice


def test_a_receipt_before_the_checklist_settles_it_when_applied(
    template: ChecklistTemplateVersion, ai_engagement: Engagement, plan: AIPlan, operator: User
) -> None:
    receipt_services.trace_add(plan=plan, upload=upload("otlp/trace-pass.jsonl"), by=operator)
    checklist = services.checklist_apply(engagement=ai_engagement, by=operator).checklist
    assert _item(checklist, "first_trace").status == "done"
