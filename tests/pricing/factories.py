"""Pricing for tests: bare tiers for setting a scene, and quotes made through the services
(drafted from the shipped tiers, sent, accepted), since a quote's numbering, options and lines
are the services' to get right."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import cast

import factory

from cto.checklists.playbooks import checklist_template_load_shipped
from cto.checklists.services import current_template
from cto.engagements.models import Engagement
from cto.pricing.models import PricingTier, Quote
from cto.pricing.playbooks import tier_load_shipped
from cto.pricing.services import Signature, quote_accept, quote_draft, quote_send
from cto.users.models import Membership, User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory, OperatorFactory

# The shipped AI tiers, cheapest first: a quote's good, better and best options.
AI_TIERS = ("ai-cto-advisor", "ai-cto-lead", "ai-cto-partner")


class PricingTierFactory(factory.django.DjangoModelFactory):
    """A bare tier row (the shipped ones come from ``tier_load_shipped``)."""

    class Meta:
        model = PricingTier

    key = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.Sequence(lambda n: f"Tier {n}")
    kind = PricingTier.Kind.AI
    currency = "EUR"
    monthly_retainer = Decimal("6000.00")
    days_per_week = Decimal("1.0")
    week_one_fee = Decimal("4000.00")
    minimum_term_months = 3
    order = factory.Sequence(lambda n: n)


class QuoteFactory(factory.django.DjangoModelFactory):
    """A quote through ``quote_draft`` on the shipped tiers (loaded when missing), then taken
    to ``status``: ``draft``, ``sent`` (``quote_send``) or ``accepted`` (signed for the option
    labelled ``accept`` by a member of the organisation, which makes the engagement active and
    applies its checklist)."""

    class Meta:
        model = Quote

    engagement = factory.SubFactory(EngagementFactory)
    tier_keys: Sequence[str] = AI_TIERS
    status = Quote.Status.DRAFT
    accept = "better"
    by = factory.LazyAttribute(lambda quote: quote.engagement.lead or OperatorFactory())

    @classmethod
    def _create(
        cls,
        model_class: type[Quote],
        *,
        engagement: Engagement,
        tier_keys: Sequence[str],
        status: str,
        accept: str,
        by: User,
    ) -> Quote:
        tier_load_shipped(publish=True)
        quote = quote_draft(engagement=engagement, tier_keys=list(tier_keys), by=by)
        if status == Quote.Status.DRAFT:
            return quote
        quote = quote_send(quote=quote, by=by)
        if status == Quote.Status.SENT:
            return quote
        assert status == Quote.Status.ACCEPTED, f"QuoteFactory makes no {status} quote"
        if current_template() is None:  # becoming active applies the checklist
            checklist_template_load_shipped(publish=True)
        signer = engagement.contact
        if not Membership.objects.filter(
            user=signer, organization_id=engagement.organization_id
        ).exists():
            signer = cast(Membership, MembershipFactory(organization=engagement.organization)).user
        assert signer is not None
        return quote_accept(
            quote=quote,
            signature=Signature(
                option=quote.options.get(label=accept),
                full_name=signer.name or "A Client",
                agreed_to_terms=True,
                ip="127.0.0.1",
                user_agent="pytest",
            ),
            by=signer,
        )
