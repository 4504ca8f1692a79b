"""What each tool takes. Where the API has the parameter, its own schema is used (the
engagement filters and the page of a list), so that an argument is valid here exactly when it
is valid there; the writes, which the API does not take yet, carry the constraints of the page
forms and the services (the same lengths, ranges and choices)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from cto.aiplan.starter import LOOK_FIRST
from cto.api.v1.pagination import PageQuery
from cto.api.v1.schemas import EngagementFilters, IntakeFilters
from cto.audits.services import NOTE_MAX_LENGTH
from cto.core.converters import ID_MAX
from cto.core.forms import VERSION_MAX
from cto.reports.models import Report


class Arguments(Schema):
    # Tools are called by language models: a misspelt argument is refused, never ignored, as
    # the API refuses a query parameter it does not know.
    model_config = ConfigDict(extra="forbid")


def _id(what: str) -> int:
    # A FieldInfo, typed as the value it stands for (as pydantic's Field is).
    return Field(ge=1, le=ID_MAX, description=f"The {what}'s id.")


class EngagementList(Arguments, EngagementFilters, PageQuery):
    pass


class EngagementId(Arguments):
    engagement_id: int = _id("engagement")


class Timeline(EngagementId, PageQuery):
    pass


class IntakeList(Arguments, IntakeFilters, PageQuery):
    pass


class IntakeResponseId(Arguments):
    intake_response_id: int = _id("intake response")


class AuditId(Arguments):
    audit_id: int = _id("audit")


class AuditAnswer(AuditId):
    question: str = Field(
        min_length=1, max_length=100, description="The question's id, from read_audit."
    )
    level: int | None = Field(
        ge=0, le=4, description="The maturity level from 0 to 4, or null for not applicable."
    )
    note: str = Field("", max_length=NOTE_MAX_LENGTH)
    evidence_url: str = Field("", max_length=500, description="A https:// link, or empty.")
    expected_version: int | None = Field(
        None,
        ge=1,
        le=VERSION_MAX,
        description=(
            "The answer's version you read (read_audit), or null for a question not answered "
            "yet: if someone saved since, nothing is written and their answer is returned."
        ),
    )


class ChecklistEvidence(Arguments):
    item_id: int = _id("checklist item")
    url: str = Field("", max_length=500, description="A link (https://) to the evidence.")
    note: str = Field("", max_length=4000, description="Or a note, when there is no link.")


class PlanComment(EngagementId):
    row: Literal["plan", "candidate", "gate", "failure_mode"] = Field(
        "plan", description="What the comment is on: the plan as a whole, or one of its rows."
    )
    row_id: int | None = Field(
        None, ge=1, le=ID_MAX, description="The row's id (read_plan), unless row is plan."
    )
    text: str = Field(min_length=1, max_length=2000)


class FailureModeProposal(EngagementId):
    title: str = Field(min_length=1, max_length=200, description="The failure in a few words.")
    look_first: Literal[LOOK_FIRST] = Field(  # type: ignore[valid-type]  # a tuple of literals
        description="Where to look first for its cause."
    )
    evidence: str = Field(
        min_length=1,
        max_length=4000,
        description="What was seen: the input, what came out, and where; enough to see it again.",
    )


# A file travels inside the JSON of a tool call, so it is bounded by the request's own limit
# (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB): larger files go to the API as multipart.
FILE_CONTENT_MAX = 2_000_000


class ReceiptFile(Arguments):
    filename: str = Field(
        min_length=1,
        max_length=200,
        description="The file's name as the tool wrote it (results.json, logs/run.eval, ...).",
    )
    content: str = Field(
        min_length=1,
        max_length=FILE_CONTENT_MAX,
        description="The file itself: its text, or base64 for a binary file (an .eval archive).",
    )
    encoding: Literal["text", "base64"] = Field("text", description="How content is written.")


class EvalReceipt(ReceiptFile):
    gate_id: int = _id("eval gate")


class TraceReceipt(EngagementId, ReceiptFile):
    pass


class ReportRequest(EngagementId):
    kind: Report.Kind = Field(Report.Kind.WEEK_ONE, description="Which report.")
