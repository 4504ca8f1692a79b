"""What every write of an AI plan does alike: lock the row and refuse a stale page, bump the
version, keep text and links within what the columns hold, and say the change on the
engagement's timeline. The plan's services (cto.aiplan.services, cto.aiplan.proposals) share
these, so every change is checked and recorded the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from cto.aiplan.models import AIPlan, EvalGate, VersionedRow
from cto.engagements.models import ActivityEvent
from cto.engagements.services import activity_record
from cto.users.models import User

Row = TypeVar("Row", bound=VersionedRow)
TEXT_LIMIT = 2000


class PlanError(ValidationError):
    """A refused change to an AI plan, with a message for the person making it."""


class StalePlanError(PlanError):
    """The row changed since the page was drawn; nothing was written."""


def record(
    plan: AIPlan,
    by: User | None,
    change: str,
    target: models.Model | None = None,
    *,
    facts: dict[str, str] | None = None,
) -> None:
    """One "changed the AI plan" event saying ``change``; ``facts`` are kept beside it for
    whoever reacts to the event (the week-one checklist settles its proofs by them)."""
    activity_record(
        engagement=plan.engagement,
        actor=by,
        verb=ActivityEvent.Verb.PLAN_CHANGED,
        target=target,
        data={"change": change, **(facts or {})},
    )


def record_verdict(
    gate: EvalGate, before: str, by: User | None, *, value: Decimal | None, sha256: str = ""
) -> None:
    """Say on the timeline (and so to the webhooks) that ``gate``'s verdict moved from
    ``before`` to what it is now; nothing when it did not move."""
    after = gate.verdict
    if after == before:
        return
    activity_record(
        engagement=gate.plan.engagement,
        actor=by,
        verb=ActivityEvent.Verb.GATE_VERDICT,
        target=gate,
        data={
            "gate": gate.name,
            "gate_id": gate.pk,
            "from": before,
            "to": after,
            "value": None if value is None else f"{value.normalize():f}",
            "sha256": sha256[:12],
        },
    )


def lock(row: Row, expected_version: int | None) -> Row:
    """The row, locked; StalePlanError when it moved on since ``expected_version``."""
    locked = type(row).objects.select_for_update().get(pk=row.pk)  # type: ignore[attr-defined]
    if expected_version is not None and locked.version != expected_version:
        raise StalePlanError(
            "Someone changed this since you opened the page; nothing was saved. "
            "Reload to see their change, then make yours again.",
            code="stale",
        )
    return locked


def save(row: Row, fields: list[str]) -> Row:
    row.version += 1
    row.full_clean()
    row.save(update_fields=[*fields, "version"])
    return row


def text(value: str, label: str, *, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise PlanError(f"Please give {label}.")
    if len(value) > limit:
        raise PlanError(f"Please keep {label} under {limit} characters.")
    return value


def url(value: str) -> str:
    value = value.strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as error:
            raise PlanError("Links must be web addresses starting with https://.") from error
    return value


def number(value: Decimal | None, label: str, *, required: bool = False) -> Decimal | None:
    """The forms refuse what is no number; this keeps any caller within what the column holds
    (DecimalField(max_digits=14, decimal_places=4))."""
    if value is None:
        if required:
            raise PlanError(f"Please give {label}.")
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise PlanError(f"{label.capitalize()} must be a reasonable number.")
    return value
