"""cto/pricing/services.py on PostgreSQL: drivers from a real intake, recommendation, revisions,
the signing flow and the stage change."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from cto.engagements.models import ActivityEvent, Engagement
from cto.pricing import services
from cto.pricing.models import PricingTier, Quote, QuoteLine
from cto.users.models import User
from tests.pricing.conftest import AI_TIERS, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signer(sent: Quote) -> User:
    """The client's contact, who came in through the intake: a member of its organisation."""
    return sent.engagement.contact


# --- Drafting ---------------------------------------------------------------------------------


def test_a_draft_proposes_driver_lines_and_recommends_by_them(
    lead_from_intake: Engagement, operator: User
) -> None:
    quote = services.quote_draft(engagement=lead_from_intake, tier_keys=AI_TIERS, by=operator)
    assert [o.label for o in quote.options.all()] == ["good", "better", "best"]
    lead = quote.options.get(label="better")
    drivers = set(lead.lines.exclude(driver="").values_list("driver", flat=True))
    assert drivers == {"agents_call_tools", "customer_facing_ai", "unmeasured_costs"}
    assert quote.recommended_label == "best"  # three drivers fired
    assert "3 risk drivers" in quote.recommendation_reason
    totals = lead.totals()
    # 12000 + 1500 + 750 = 14250 monthly; x 1.15 = 16387.50; one-off: the week-one fee 7500
    assert (totals.monthly, totals.one_off) == (D("16387.50"), D("7500.00"))
    assert totals.first_term == D("56662.50")  # 7500 + 3 x 16387.50


def test_an_engagement_with_no_drivers_is_recommended_the_first_option(
    engagement: Engagement, operator: User, tiers: list[PricingTier]
) -> None:
    quote = services.quote_draft(
        engagement=engagement, tier_keys=["cto-advisor", "cto-lead"], by=operator
    )
    assert (quote.recommended_label, quote.recommendation_reason) == (
        "good",
        "No risk driver fired in the intake or the audit.",
    )
    assert not quote.options.get(label="good").lines.exclude(driver="").exists()


@pytest.mark.parametrize("keys", [[], ["cto-advisor"] * 4, ["no-such-tier"]])
def test_a_quote_needs_one_to_three_known_tiers(
    engagement: Engagement, operator: User, tiers: list[PricingTier], keys: list[str]
) -> None:
    with pytest.raises(services.QuoteError):
        services.quote_draft(engagement=engagement, tier_keys=keys, by=operator)
    assert not Quote.objects.exists()


def test_lines_are_edited_only_while_drafting(lead_from_intake: Engagement, operator: User) -> None:
    quote = services.quote_draft(engagement=lead_from_intake, tier_keys=AI_TIERS, by=operator)
    option = quote.options.get(label="good")
    services.quote_line_add(
        option=option,
        label="Launch offer",
        kind=QuoteLine.Kind.DISCOUNT_PERCENT,
        period=QuoteLine.Period.MONTHLY,
        value=D("10"),
        reason="First client this quarter",
        by=operator,
    )
    with pytest.raises(services.QuoteError, match="must be a number"):
        services.quote_line_add(
            option=option,
            label="Bad",
            kind=QuoteLine.Kind.AMOUNT,
            period=QuoteLine.Period.MONTHLY,
            value=D("NaN"),
            reason="",
            by=operator,
        )
    services.quote_send(quote=quote, by=operator)
    with pytest.raises(services.QuoteError, match="Only a draft can be changed"):
        services.quote_line_add(
            option=option,
            label="Late",
            kind=QuoteLine.Kind.AMOUNT,
            period=QuoteLine.Period.MONTHLY,
            value=D("1"),
            reason="",
            by=operator,
        )


# --- Revisions --------------------------------------------------------------------------------


def test_revising_a_sent_quote_keeps_the_old_one_and_it_can_no_longer_be_accepted(
    sent: Quote, operator: User, signer: User
) -> None:
    revision = services.quote_revise(quote=sent, by=operator)
    sent.refresh_from_db()
    assert (sent.status, revision.status, revision.revision, revision.supersedes) == (
        "superseded",
        "draft",
        2,
        sent,
    )
    assert revision.options.count() == 3
    assert sum(o.lines.count() for o in revision.options.all()) == sum(
        o.lines.count() for o in sent.options.all()
    )
    with pytest.raises(services.QuoteError, match="replaced by a newer revision"):
        services.quote_accept(quote=sent, signature=sign(sent), by=signer)


# --- Acceptance -------------------------------------------------------------------------------


def test_accepting_signs_moves_the_engagement_to_active_and_tells_the_operators(
    sent: Quote, signer: User
) -> None:
    accepted = services.quote_accept(quote=sent, signature=sign(sent), by=signer)
    assert (accepted.status, accepted.signer_name, accepted.signer_ip) == (
        "accepted",
        "Pat Lee",
        "203.0.113.9",
    )
    assert accepted.signer_user_agent == "Test browser"
    assert accepted.accepted_option.label == "better"
    engagement = Engagement.objects.get(pk=sent.engagement_id)
    assert engagement.stage == "active"
    verbs = list(engagement.events.order_by("id").values_list("verb", flat=True))
    assert ActivityEvent.Verb.QUOTE_ACCEPTED in verbs
    assert verbs.count(ActivityEvent.Verb.STAGE_CHANGED) == 3  # lead, qualified, proposal, active


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agreed": False}, "agree to the terms"),
        ({"option": "elsewhere"}, "choose one of the options"),
        ({"option": None}, "choose one of the options"),
        ({"name": " "}, "full name"),
    ],
)
def test_acceptance_needs_terms_an_option_and_a_signature(
    sent: Quote, signer: User, changes: dict, message: str
) -> None:
    with pytest.raises(services.QuoteError, match=message):
        services.quote_accept(quote=sent, signature=sign(sent, **changes), by=signer)
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_an_operator_cannot_sign_for_the_client(sent: Quote, operator: User) -> None:
    with pytest.raises(services.QuoteError, match="Only a member of the client's organisation"):
        services.quote_accept(quote=sent, signature=sign(sent), by=operator)
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_an_expired_quote_cannot_be_accepted(sent: Quote, signer: User) -> None:
    Quote.objects.filter(pk=sent.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    sent.refresh_from_db()
    assert sent.is_expired
    with pytest.raises(services.QuoteError, match="expired"):
        services.quote_accept(quote=sent, signature=sign(sent), by=signer)


def test_a_double_acceptance_is_one_acceptance_and_the_quote_is_then_immutable(
    sent: Quote, signer: User, operator: User
) -> None:
    first = services.quote_accept(quote=sent, signature=sign(sent), by=signer)
    second = services.quote_accept(
        quote=sent,
        signature=sign(sent, option="best", name="Someone Else"),
        by=signer,
    )
    assert (second.accepted_option, second.signer_name, second.accepted_at) == (
        first.accepted_option,
        "Pat Lee",
        first.accepted_at,
    )
    assert sent.engagement.events.filter(verb=ActivityEvent.Verb.QUOTE_ACCEPTED).count() == 1
    with pytest.raises(services.QuoteError):
        services.quote_revise(quote=sent, by=operator)
    with pytest.raises(services.QuoteError):
        services.quote_decline(quote=sent, by=signer)
