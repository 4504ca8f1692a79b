"""Reports for tests: an engagement with what a week-one report shows, and reports requested
(and rendered, when asked) through the services, instead of the demo seed."""

from __future__ import annotations

from typing import Any

import factory

from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.pricing.models import Quote
from cto.reports import services
from cto.reports.models import Report
from cto.users.models import Membership, User
from tests.aiplan.factories import AIPlanFactory
from tests.audits.factories import AuditFactory
from tests.engagements.factories import EngagementFactory
from tests.pricing.factories import QuoteFactory
from tests.users.factories import MembershipFactory, OperatorFactory


class ReportableEngagementFactory(EngagementFactory):
    """An AI engagement, qualified, with a lead operator and the client's owner as its contact,
    then through the services: two locked audits (every answer 1, then every answer 2, so
    progress shows), an AI plan choosing "Large model A" over "Large model B", and a sent quote
    of the three AI tiers. No checklist (the engagement is not active)."""

    class Meta:
        skip_postgeneration_save = True  # the services moved the row on: never save a stale copy

    kind = Engagement.Kind.AI
    stage = Stage.QUALIFIED
    lead = factory.SubFactory(OperatorFactory)
    contact = factory.LazyAttribute(
        lambda engagement: (
            MembershipFactory(organization=engagement.organization, role=Membership.Role.OWNER).user
        )
    )
    first_audit = factory.RelatedFactory(AuditFactory, "engagement", level=1)
    second_audit = factory.RelatedFactory(AuditFactory, "engagement", level=2)
    plan = factory.RelatedFactory(
        AIPlanFactory, "engagement", candidates=("Large model A", "Large model B")
    )
    quote = factory.RelatedFactory(QuoteFactory, "engagement", status=Quote.Status.SENT)

    @classmethod
    def _after_postgeneration(
        cls, instance: Engagement, create: bool, results: dict[str, Any] | None = None
    ) -> None:
        if create:
            instance.refresh_from_db()


class ReportFactory(factory.django.DjangoModelFactory):
    """A report through ``report_request`` (the snapshot taken now, the rendering queued after
    commit); rendered in process through ``report_render`` with ``rendered=True``."""

    class Meta:
        model = Report

    engagement = factory.SubFactory(ReportableEngagementFactory)
    kind = Report.Kind.WEEK_ONE
    by = factory.LazyAttribute(lambda report: report.engagement.lead)
    rendered = False

    @classmethod
    def _create(
        cls,
        model_class: type[Report],
        *,
        engagement: Engagement,
        kind: str,
        by: User | None,
        rendered: bool,
    ) -> Report:
        report = services.report_request(engagement=engagement, kind=kind, by=by)
        if rendered:
            done = services.report_render(report_id=report.pk)
            assert done is not None
            assert done.status == Report.Status.READY, done.error
            return done
        return report
