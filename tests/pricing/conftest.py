"""Fixtures of the quote tests: the shipped tiers, a lead that came through a real intake, a
quote sent to it and the client who signs it."""

from __future__ import annotations

import dataclasses

import pytest

from cto.engagements.models import Engagement
from cto.intake import claims as intake_claims
from cto.intake import services as intake_services
from cto.pricing import services
from cto.pricing.models import PricingTier, Quote, QuoteOption
from cto.pricing.playbooks import tier_load_shipped
from cto.users.models import User
from tests.intake.test_services import CONTACT, finished_response

AI_TIERS = ["ai-cto-advisor", "ai-cto-lead", "ai-cto-partner"]


@pytest.fixture
def tiers() -> list[PricingTier]:
    return [loaded.item for loaded in tier_load_shipped(publish=True)]


@pytest.fixture
def lead_from_intake(tiers: list[PricingTier]) -> Engagement:
    """A lead that came through the intake: AI at the core, agents calling tools, costs a pain."""
    contact = dataclasses.replace(CONTACT, company="Initech", email="pat@initech.example")
    response = finished_response()
    intake_services.intake_submit(response=response, contact=contact)
    # The contact proves their address (as signing in by code does), which links the lead.
    return intake_claims.intake_lead_prove(
        response=response, user=User.objects.get(email="pat@initech.example")
    )


@pytest.fixture
def sent(lead_from_intake: Engagement, operator: User) -> Quote:
    quote = services.quote_draft(engagement=lead_from_intake, tier_keys=AI_TIERS, by=operator)
    return services.quote_send(quote=quote, by=operator)


def sign(
    quote: Quote, *, option: str | None = "better", name: str = "Pat Lee", agreed: bool = True
) -> services.Signature:
    """``option`` is a label of the quote's options, "elsewhere" for another quote's, or None."""
    chosen = (
        None
        if option is None
        else QuoteOption(pk=999999, quote_id=0)
        if option == "elsewhere"
        else quote.options.get(label=option)
    )
    return services.Signature(
        option=chosen,
        full_name=name,
        agreed_to_terms=agreed,
        ip="203.0.113.9",
        user_agent="Test browser",
    )
