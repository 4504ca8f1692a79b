"""What the API says of an engagement and its timeline, and of a problem."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator

from cto.core.converters import ID_MAX
from cto.engagements.stages import Stage


class ProblemField(Schema):
    field: str = Field(description="Where the value was: query.limit, path.pk, ...")
    detail: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | None = Field(None, description="Invalid values, by field.")


class Organization(Schema):
    id: int
    name: str


class Engagement(Schema):
    id: int
    title: str
    kind: Literal["generic", "ai"]
    stage: Stage
    stage_label: str
    organization: Organization
    start_date: datetime.date | None
    stage_changed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(description="Bumped by every change: a writer names the one it read.")
    url: str = Field(description="The engagement's page in the portal.")


class TrackerStep(Schema):
    stage: Stage
    status: str
    reason: str


class NextStep(Schema):
    text: str
    waiting_on: str | None = Field(description="client, practice, or nobody (null)")
    url: str | None = Field(description="Where the step is done, when it is done on a page.")


class Counts(Schema):
    audits: int
    quotes: int = Field(description="The quotes you may read (clients do not see drafts).")


class EngagementDetail(Engagement):
    tracker: list[TrackerStep]
    next_step: NextStep
    notice: str
    counts: Counts


class Event(Schema):
    id: int
    verb: str
    summary: str = Field(description="The line the engagement page shows.")
    actor: str | None = Field(description="Who did it; null for the system.")
    created_at: datetime.datetime


class EngagementFilters(Schema):
    stage: Stage | None = None
    organization: int | None = Field(None, ge=1, le=ID_MAX, description="An organisation's id.")
    updated_since: datetime.datetime | None = Field(
        None, description="Changed at or after this time (ISO 8601; UTC when no offset)."
    )

    @field_validator("updated_since")
    @classmethod
    def _in_utc(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError as error:  # the first or last day of the calendar, shifted out
            raise ValueError("The time is out of range.") from error
