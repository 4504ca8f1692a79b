"""Fixtures of the AI plan tests: a plan started on an engagement, and one filled with four
scored candidates."""

from __future__ import annotations

import pytest

from cto.aiplan import services
from cto.aiplan.models import AIPlan
from cto.engagements.models import Engagement
from cto.users.models import User


@pytest.fixture
def plan(engagement: Engagement, operator: User) -> AIPlan:
    return services.plan_start(engagement=engagement, by=operator)


@pytest.fixture
def filled(plan: AIPlan, operator: User) -> AIPlan:
    criteria = list(plan.criteria.all())
    for name, level in (("Model A", 5), ("Model B", 3), ("Model C", 2), ("Model D", 1)):
        candidate = services.candidate_add(plan=plan, name=name, provider="Vendor", by=operator)
        for criterion in criteria:
            services.cell_score_set(
                candidate=candidate,
                criterion=criterion,
                score=level if criterion.higher_is_better else 6 - level,
                expected_version=None,
                by=operator,
            )
    return plan
