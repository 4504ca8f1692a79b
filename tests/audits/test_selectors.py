"""Which open audits have been quiet (audits_quiet), on PostgreSQL. How long counts as quiet,
and how the dashboard words it, is tests/ops/test_selectors.py's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cto.audits.models import Audit
from cto.audits.playbooks import audit_template_load_shipped
from cto.audits.selectors import audits_quiet
from cto.audits.services import AnswerInput, audit_answer_save, audit_open
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.users.models import User
from tests.clock import days_ago, moment

pytestmark = pytest.mark.django_db
CUTOFF = moment(days_ago(2), 0)


@pytest.fixture
def audit(engagement: Engagement, operator: User) -> Audit:
    audit_template_load_shipped(publish=True)
    return audit_open(engagement=engagement, by=operator)


def quiet() -> list[Audit]:
    return list(audits_quiet(quiet_before=CUTOFF, limit=10))


def test_an_audit_opened_before_the_cutoff_without_an_answer_is_quiet(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(3), 9))
    [found] = quiet()
    assert found == audit
    assert found.quiet_since == moment(days_ago(3), 9)
    assert found.answered == 0
    assert found.waiting_total == 1


def test_an_audit_opened_after_the_cutoff_is_not(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(2), 0, 0, 1))
    assert quiet() == []


def test_the_latest_answer_counts_not_the_opening(audit: Audit, client_user: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(10)))
    question = next(iter(audit.template_version.parsed().questions))
    audit_answer_save(
        audit=audit, raw=AnswerInput(question, 2), expected_version=None, by=client_user
    )
    assert quiet() == []  # answered just now

    Audit.objects.filter(pk=audit.pk).update(last_answered_at=moment(days_ago(4)))
    [found] = quiet()
    assert found.answered == 1


def test_a_locked_audit_is_not_quiet(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(
        created_at=moment(days_ago(10)), status="locked", locked_at=timezone.now()
    )
    assert quiet() == []


def test_an_audit_of_a_resting_engagement_is_not_quiet(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(10)))
    Engagement.objects.filter(pk=audit.engagement_id).update(stage=Stage.PAUSED)
    assert quiet() == []
