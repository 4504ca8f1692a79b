"""Fixtures of the receipts tests: a plan with its starter gates, the real fixture files as
uploads, and the storage the receipts' files land in."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cto.aiplan import services as plan_services
from cto.aiplan.models import AIPlan, EvalGate
from cto.engagements.models import Engagement
from cto.users.models import User

FIXTURES = Path(__file__).parent / "fixtures"


def upload(relative: str, content: bytes | None = None) -> SimpleUploadedFile:
    """A fixture file (by its path under fixtures/) as a browser or curl would send it."""
    path = FIXTURES / relative
    return SimpleUploadedFile(path.name, path.read_bytes() if content is None else content)


@pytest.fixture
def plan(engagement: Engagement, operator: User) -> AIPlan:
    return plan_services.plan_start(engagement=engagement, by=operator)


@pytest.fixture
def golden(plan: AIPlan) -> EvalGate:
    """The starter's golden-set gate: pass rate at least 0.90, blocks release."""
    return plan.gates.get(key="golden_set")


@pytest.fixture
def latency(plan: AIPlan) -> EvalGate:
    """The starter's latency gate, its spans named as the fixtures' agent names them."""
    gate = plan.gates.get(key="latency_p95")
    EvalGate.objects.filter(pk=gate.pk).update(subject="invoke_agent support-bot")
    gate.refresh_from_db()
    assert (gate.measure, gate.threshold) == ("p95_duration_ms", Decimal("3000"))
    return gate
