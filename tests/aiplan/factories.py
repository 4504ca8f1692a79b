"""AI plans for tests, made through the services: started with the default criteria and the
starter's evals and failure modes, candidates scored on every criterion, a choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import factory

from cto.aiplan.models import AIPlan, Candidate
from cto.aiplan.services import candidate_add, cell_score_set, plan_choose, plan_start
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import OperatorFactory


class AIPlanFactory(factory.django.DjangoModelFactory):
    """The engagement's plan through ``plan_start``. With ``candidates`` (names), each is added
    and scored, the first highest (5 on every criterion, then one less each); with two or more,
    the first is chosen and the second is its fallback."""

    class Meta:
        model = AIPlan

    engagement = factory.SubFactory(EngagementFactory)
    by = factory.LazyAttribute(lambda plan: plan.engagement.lead or OperatorFactory())
    candidates: Sequence[str] = ()
    rationale = "Best on our evals; the fallback is close and on another vendor."

    @classmethod
    def _create(
        cls,
        model_class: type[AIPlan],
        *,
        engagement: Engagement,
        by: User,
        candidates: Sequence[str],
        rationale: str,
    ) -> AIPlan:
        plan = plan_start(engagement=engagement, by=by)
        added = [
            cast(Candidate, CandidateFactory(plan=plan, name=name, score=max(1, 5 - index), by=by))
            for index, name in enumerate(candidates)
        ]
        if len(added) >= 2:
            plan = plan_choose(
                plan=plan,
                chosen=added[0],
                fallback=added[1],
                rationale=rationale,
                expected_version=None,
                by=by,
            )
        return plan


class CandidateFactory(factory.django.DjangoModelFactory):
    """A candidate through ``candidate_add``, given ``score`` (1-5) on every criterion of its
    plan through ``cell_score_set``."""

    class Meta:
        model = Candidate

    plan = factory.SubFactory(AIPlanFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    provider = "Vendor A"
    snapshot = "2026-09"
    score = 3
    by = factory.LazyAttribute(lambda row: row.plan.engagement.lead or OperatorFactory())

    @classmethod
    def _create(
        cls,
        model_class: type[Candidate],
        *,
        plan: AIPlan,
        name: str,
        provider: str,
        snapshot: str,
        score: int,
        by: User,
    ) -> Candidate:
        candidate = candidate_add(plan=plan, name=name, provider=provider, snapshot=snapshot, by=by)
        for criterion in plan.criteria.all():
            cell_score_set(
                candidate=candidate,
                criterion=criterion,
                score=score,
                expected_version=None,
                by=by,
            )
        return candidate
