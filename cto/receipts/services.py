"""Every write of receipts. A file is read within bounds (cto.receipts.safety): a hostile one is
refused with nothing written; anything else is kept, unchanged and hashed, with the verdict the
gate's rule gives it (a file we cannot read with confidence gives "needs review", never pass).
The newest receipt decides its gate; each arrival, and each change of a gate's verdict, is on
the engagement's timeline (and so on the webhooks)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cto.aiplan import proposals, rows
from cto.aiplan.models import AIPlan, EvalGate, FailureModeProposal
from cto.aiplan.rows import PlanError
from cto.receipts.adapters import otlp, read_eval
from cto.receipts.models import FAILING_CASES_KEPT, Receipt
from cto.receipts.results import EvalRun, Hostile, Refusal, Trace
from cto.receipts.safety import Budget
from cto.receipts.verdicts import Rule, Verdict, verdict
from cto.users.models import User

NO_RULE = "this gate has no rule for files yet: an operator sets its measure"
FILENAME_LIMIT = 200


class ReceiptError(PlanError):
    """A refused receipt, with a message for the person (or the CI job) that sent it: a refused
    change to the plan, answered as the plan page answers the others."""


def receipt_add(*, gate: EvalGate, upload: UploadedFile, by: User) -> Receipt:
    """Keep ``upload`` as a receipt of ``gate``, judged by the gate's rule; the gate's verdict
    becomes the receipt's. Raises ReceiptError (nothing written) for a hostile file."""
    with _file_kept_with_its_row() as stored:
        return _receipt_add(gate, upload, by, stored)


def _receipt_add(gate: EvalGate, upload: UploadedFile, by: User, stored: list[Receipt]) -> Receipt:
    _may_add(gate.plan, by)
    data, filename = _bytes(upload)
    if otlp.sniff(data, filename):
        kind, parsed = Receipt.Kind.TRACE, _read(data, filename, otlp.read)
    else:
        kind, parsed = Receipt.Kind.EVAL, _read(data, filename, read_eval)
    locked = (
        EvalGate.objects.select_for_update(of=("self",))
        .select_related("latest_receipt")
        .get(pk=gate.pk)
    )
    before = locked.verdict
    if locked.measure:
        rule = Rule(locked.measure, locked.subject, locked.comparison, locked.threshold)
        judged = verdict(rule, parsed)
    else:
        rule, judged = None, _needs_review(NO_RULE)
    receipt = _store(
        plan=locked.plan,
        gate=locked,
        kind=kind,
        data=data,
        filename=filename,
        parsed=parsed,
        judged=judged,
        rule=rule,
        by=by,
    )
    stored.append(receipt)
    locked.latest_receipt = receipt
    rows.save(locked, ["latest_receipt"])
    rows.record(
        locked.plan,
        by,
        f"added a receipt for {locked.name}: {judged.summary}",
        target=receipt,
        facts=_facts(receipt),
    )
    rows.record_verdict(locked, before, by, value=judged.value, sha256=receipt.sha256)
    return receipt


def trace_add(*, plan: AIPlan, upload: UploadedFile, by: User) -> Receipt:
    """Keep an OTLP/JSON trace on ``plan`` (no gate, no rule: it is there to be seen). A file we
    cannot read is kept as needing review; a hostile one is refused (ReceiptError)."""
    with _file_kept_with_its_row() as stored:
        return _trace_add(plan, upload, by, stored)


def _trace_add(plan: AIPlan, upload: UploadedFile, by: User, stored: list[Receipt]) -> Receipt:
    _may_add(plan, by)
    data, filename = _bytes(upload)
    parsed = _read(data, filename, otlp.read)
    judged = _needs_review(parsed.reason) if isinstance(parsed, Refusal) else None
    receipt = _store(
        plan=plan,
        gate=None,
        kind=Receipt.Kind.TRACE,
        data=data,
        filename=filename,
        parsed=parsed,
        judged=judged,
        rule=None,
        by=by,
    )
    stored.append(receipt)
    spans = len(parsed.spans) if isinstance(parsed, Trace) else 0
    rows.record(
        plan,
        by,
        f"added a trace ({filename}, {spans} spans)",
        target=receipt,
        facts=_facts(receipt),
    )
    return receipt


def _facts(receipt: Receipt) -> dict[str, str]:
    """What the event keeps of the receipt, for the week-one checklist's proofs
    (cto.checklists.settling): its kind, its verdict, its file and hash."""
    return {
        "receipt": receipt.kind,
        "outcome": receipt.outcome,
        "summary": receipt.summary,
        "gate": receipt.gate.name if receipt.gate else "",
        "file": receipt.filename,
        "sha256": receipt.sha256,
    }


@transaction.atomic
def receipt_propose_failure_mode(
    *, receipt: Receipt, case_id: str, by: User
) -> FailureModeProposal:
    """Propose one failing case of an eval receipt for the failure-mode register, with the
    case's input and output as what was seen; an operator confirms or dismisses it."""
    case = next((c for c in receipt.failing_cases if c.get("id") == case_id), None)
    if case is None:
        raise ReceiptError("That case is not one of this receipt's failing cases.")
    if FailureModeProposal.objects.filter(receipt=receipt, case_id=case_id).exists():
        raise ReceiptError("That case was already proposed as a failure mode.")
    gate = receipt.gate.name if receipt.gate else "trace"
    evidence = "\n".join(
        line
        for line in (
            f"Case {case.get('name') or case_id} {case.get('outcome', 'failed')} in {gate} "
            f"({receipt.source}).",
            f"Reason: {case['reason']}" if case.get("reason") else "",
            f"Input: {case['input']}" if case.get("input") else "",
            f"Output: {case['output']}" if case.get("output") else "",
        )
        if line
    )
    proposal = proposals.failure_mode_propose(
        plan=receipt.plan,
        title=f"{gate}: {case.get('name') or case_id}"[:200],
        look_first="eval",
        evidence=evidence[: proposals.EVIDENCE_LIMIT],
        by=by,
    )
    proposal.receipt, proposal.case_id = receipt, case_id[:200]
    proposal.save(update_fields=["receipt", "case_id"])
    return proposal


# --- Reading ----------------------------------------------------------------------------------


def _may_add(plan: AIPlan, by: User) -> None:
    # As comments: operators and the client's members, anyone who may see the plan.
    if not AIPlan.objects.for_user(by).filter(pk=plan.pk).exists():
        raise ReceiptError("You cannot add receipts to this plan.")


def _bytes(upload: UploadedFile) -> tuple[bytes, str]:
    """The upload's exact bytes, its size checked before a byte is read."""
    limit = settings.RECEIPT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ReceiptError(
            f"The file is {(upload.size or 0) / 1_048_576:.1f} MB; receipts are read up to "
            f"{limit / 1_048_576:.0f} MB. Nothing was kept."
        )
    upload.seek(0)
    data = upload.read()
    if len(data) > limit:  # the declared size lied
        raise ReceiptError(f"The file is over {limit / 1_048_576:.0f} MB. Nothing was kept.")
    name = (upload.name or "receipt").replace("\x00", "").rsplit("/", 1)[-1].strip()
    return data, (name or "receipt")[-FILENAME_LIMIT:]


def _read(
    data: bytes, filename: str, reader: Callable[..., EvalRun | Trace]
) -> EvalRun | Trace | Refusal:
    """What the adapter read, or the Refusal that says why it could not (kept, to review);
    a Hostile file is a ReceiptError, refused."""
    budget = Budget(seconds=settings.RECEIPT_PARSE_SECONDS)
    try:
        return reader(data, filename, budget=budget)
    except Hostile as hostile:
        raise ReceiptError(f"{hostile.reason} Nothing was kept.") from hostile
    except Refusal as refusal:
        return refusal


def _store(
    *,
    plan: AIPlan,
    gate: EvalGate | None,
    kind: str,
    data: bytes,
    filename: str,
    parsed: EvalRun | Trace | Refusal,
    judged: Verdict | None,
    rule: Rule | None,
    by: User,
) -> Receipt:
    read = None if isinstance(parsed, Refusal) else parsed
    receipt = Receipt(
        plan=plan,
        gate=gate,
        kind=kind,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=read.format if read else "",
        tool=(read.tool if read else "")[:200],
        tool_version=(read.tool_version if read else "")[:200],
        adapter_version=read.adapter_version if read else "",
        uploaded_by=by,
        spans=[asdict(span) for span in read.spans] if isinstance(read, Trace) else [],
        failing_cases=_failing_cases(read) if isinstance(read, EvalRun) else [],
    )
    if judged is not None:
        receipt.outcome, receipt.value = judged.outcome, judged.value
        receipt.cases, receipt.passed = judged.cases, judged.passed
        receipt.reason, receipt.summary = judged.reason, judged.summary
    if rule is not None:
        receipt.measure, receipt.subject = rule.measure, rule.subject[:200]
        receipt.comparison, receipt.threshold = rule.comparison, rule.threshold
    receipt.full_clean(exclude=["file"])
    receipt.file.save(filename, ContentFile(data), save=False)
    receipt.save()
    return receipt


@contextmanager
def _file_kept_with_its_row() -> Iterator[list[Receipt]]:
    """One transaction for the rows; the files stored in it (the list the block fills) are
    deleted when it fails after storing them, so no file outlives its row."""
    stored: list[Receipt] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for receipt in stored:
            receipt.file.delete(save=False)
        raise


def _needs_review(reason: str) -> Verdict:
    return Verdict("needs_review", None, 0, 0, reason, f"Needs review: {reason}")


def _failing_cases(run: EvalRun) -> list[dict[str, str]]:
    return [
        {
            "id": case.id[:200],
            "name": case.name[:200],
            "outcome": case.outcome,
            "reason": case.reason[:500],
            "input": case.input_excerpt,
            "output": case.output_excerpt,
        }
        for case in run.cases
        if case.outcome in ("failed", "errored")
    ][:FAILING_CASES_KEPT]
