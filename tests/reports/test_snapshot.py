"""cto/reports/snapshot on PostgreSQL: what gather() reads for each kind, its refusal when the
subject is missing, and a query count that does not grow with the rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cto.engagements.models import Engagement
from cto.pricing.models import PricingTier, Quote
from cto.reports import snapshot
from cto.reports.models import Report
from cto.users.models import User
from tests.audits.factories import AuditFactory
from tests.engagements.factories import EngagementFactory
from tests.pricing.factories import QuoteFactory
from tests.reports.conftest import Say, request

pytestmark = pytest.mark.django_db


def test_the_pricing_tiers_version_follows_their_content(full: tuple[Engagement, Say]) -> None:
    engagement, _ = full
    before = snapshot.gather(kind="quote", engagement=engagement, generator="test")
    PricingTier.objects.filter(key="ai-cto-advisor").update(monthly_retainer=1)
    after = snapshot.gather(kind="quote", engagement=engagement, generator="test")
    assert before["quote"]["tiers"] != after["quote"]["tiers"]


# --- Missing subjects, and a bare engagement ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("intake_summary", "There is no finished intake to summarise yet"),
        ("audit", "There is no locked audit to report on yet."),
        ("quote", "There is no sent quote to put in a report yet"),
    ],
)
def test_a_kind_without_its_subject_is_refused_with_a_message(
    engagement: Engagement, operator: User, kind: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        snapshot.gather(kind=kind, engagement=engagement, generator="test")
    assert refused.value.messages[0].startswith(message)
    with pytest.raises(ValidationError, match=re.escape(message)):
        request(engagement, kind, by=operator)
    assert not Report.objects.filter(engagement=engagement).exists()


def test_a_draft_quote_goes_into_no_report(operator: User) -> None:
    """Every member of the organisation may download a report: a draft would reach them."""
    bare = EngagementFactory(title="Draft only")
    QuoteFactory(engagement=bare, status=Quote.Status.DRAFT, by=operator)
    with pytest.raises(ValidationError, match="There is no sent quote"):
        snapshot.gather(kind="quote", engagement=bare, generator="test")
    week_one = snapshot.gather(kind="week_one", engagement=bare, generator="test")
    assert week_one["quote"] is None


def test_an_audit_still_open_is_not_reported_on(operator: User) -> None:
    bare = EngagementFactory(title="Second look")
    AuditFactory(engagement=bare, by=operator, locked=False)
    with pytest.raises(ValidationError, match="There is no locked audit"):
        snapshot.gather(kind="audit", engagement=bare, generator="test")


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "most"),
    # week_one: one of them reads the gates' receipts (cto.receipts).
    [("week_one", 24), ("intake_summary", 4), ("audit", 8), ("quote", 5)],
)
def test_a_snapshot_is_gathered_in_few_queries(
    full: tuple[Engagement, Say],
    kind: str,
    most: int,
    django_assert_max_num_queries: Any,
) -> None:
    engagement, _ = full
    with django_assert_max_num_queries(most):
        snapshot.gather(kind=kind, engagement=engagement, generator="test")


def test_the_snapshot_query_count_does_not_grow_with_the_rows(
    full: tuple[Engagement, Say], operator: User
) -> None:
    from cto.aiplan.services import candidate_add
    from cto.checklists.services import item_add
    from cto.receipts.services import receipt_add
    from tests.receipts.conftest import upload

    engagement, _ = full

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            snapshot.gather(kind="week_one", engagement=engagement, generator="test")
        return len(queries)

    count()  # parsed content versions are cached per process from here on
    before = count()
    for n in range(5):
        candidate_add(plan=engagement.ai_plan, name=f"Extra model {n}", by=operator)
        for gate in engagement.ai_plan.gates.all():
            receipt_add(gate=gate, upload=upload("junit/junit-mixed.xml"), by=operator)
        item_add(
            checklist=engagement.checklist,
            section="Extra",
            title=f"Extra item {n}",
            done_when="Done",
            owner_side="practice",
            due_day=2,
            by=operator,
        )
    assert count() == before
