"""Tiers, quotes and acceptance on PostgreSQL: drivers from a real intake, recommendation,
revisions, the signing flow, the stage change, isolation."""

from __future__ import annotations

import dataclasses
import datetime
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.engagements.models import ActivityEvent, Engagement
from cto.intake import services as intake_services
from cto.pricing import selectors, services
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.pricing.playbooks import tier_load_shipped
from cto.users.models import Organization, User
from tests.intake.test_services import CONTACT, finished_response
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
AI_TIERS = ["ai-cto-advisor", "ai-cto-lead", "ai-cto-partner"]


@pytest.fixture
def tiers() -> list[PricingTier]:
    return [loaded.item for loaded in tier_load_shipped(publish=True)]


@pytest.fixture
def lead_from_intake(tiers: list[PricingTier]) -> Engagement:
    """A lead that came through the intake: AI at the core, agents calling tools, costs a pain."""
    contact = dataclasses.replace(CONTACT, company="Initech", email="pat@initech.example")
    return intake_services.intake_submit(response=finished_response(), contact=contact)


@pytest.fixture
def sent(lead_from_intake: Engagement, operator: User) -> Quote:
    quote = services.quote_draft(engagement=lead_from_intake, tier_keys=AI_TIERS, by=operator)
    return services.quote_send(quote=quote, by=operator)


@pytest.fixture
def signer(sent: Quote) -> User:
    """The client's contact, who came in through the intake: a member of its organisation."""
    return sent.engagement.contact


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


# --- Tiers and the public page --------------------------------------------------------------------


def test_tiers_load_once_and_keep_admin_edits(tiers: list[PricingTier]) -> None:
    assert {t.kind for t in tiers} == {"generic", "ai"}
    PricingTier.objects.filter(key="cto-lead").update(monthly_retainer=D("9000"))
    again = tier_load_shipped(publish=True)
    assert not any(loaded.created for loaded in again)
    assert PricingTier.objects.get(key="cto-lead").monthly_retainer == D("9000.00")


def test_the_pricing_page_compares_tiers_and_shows_the_ai_premium(
    client: Client, tiers: list[PricingTier]
) -> None:
    page = client.get(reverse("pricing"))
    assert page.status_code == 200
    for tier in tiers:
        assert tier.name in page.text
    assert "Fractional AI CTO, Lead is 41% above Fractional CTO, Lead" in page.text  # 12000 vs 8500
    assert reverse("intake:home") in page.text


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


# --- Pages ------------------------------------------------------------------------------------


def test_the_client_accepts_on_the_quote_page(client: Client, sent: Quote) -> None:
    member = sent.engagement.contact
    client.force_login(member)
    page = client.get(sent.get_absolute_url())
    assert page.status_code == 200
    assert "We recommend <strong>Best</strong>" in page.text
    assert "I have read the terms above" in page.text
    reply = client.post(
        reverse("pricing:accept", args=[sent.pk]),
        {"agree": "yes", "option": sent.options.get(label="best").pk, "full_name": "Pat Lee"},
        HTTP_USER_AGENT="Firefox",
        REMOTE_ADDR="198.51.100.7",
    )
    assert reply.status_code == 303
    sent.refresh_from_db()
    assert (sent.status, sent.signer_ip, sent.signer_user_agent) == (
        "accepted",
        "198.51.100.7",
        "Firefox",
    )
    assert "signed by <strong>Pat Lee</strong>" in client.get(sent.get_absolute_url()).text


def test_another_organisation_gets_404_on_view_and_accept(
    client: Client, sent: Quote, other_organization: Organization
) -> None:
    client.force_login(MembershipFactory(organization=other_organization).user)
    assert client.get(sent.get_absolute_url()).status_code == 404
    reply = client.post(
        reverse("pricing:accept", args=[sent.pk]),
        {"agree": "yes", "option": sent.options.first().pk, "full_name": "Mallory"},
    )
    assert reply.status_code == 404
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_clients_cannot_send_revise_or_edit(client: Client, sent: Quote) -> None:
    client.force_login(sent.engagement.contact)
    for name in ("send", "revise", "line_add"):
        assert client.post(reverse(f"pricing:{name}", args=[sent.pk]), {}).status_code == 403
    assert client.get(reverse("pricing:revenue")).status_code == 302


def test_operators_see_monthly_recurring_revenue(
    client: Client, sent: Quote, operator: User
) -> None:
    services.quote_accept(quote=sent, signature=sign(sent), by=sent.engagement.contact)
    client.force_login(operator)
    page = client.get(reverse("pricing:revenue"))
    assert "EUR 16387.50" in page.text  # the Lead option, with its driver lines


def test_acceptance_keeps_the_signed_monthly_total_and_the_migration_fills_earlier_ones(
    sent: Quote,
) -> None:
    accepted = services.quote_accept(quote=sent, signature=sign(sent), by=sent.engagement.contact)
    option = accepted.options.prefetch_related("lines").get(label="better")
    signed = option.totals().monthly
    assert any(line.kind == "multiplier" for line in option.lines.all())  # the drivers count
    assert accepted.accepted_monthly == signed
    assert selectors.monthly_recurring_revenue() == {"EUR": signed}

    # A quote accepted before the field existed: the migration works it out from the lines.
    # (The constraint goes for this test only: PostgreSQL rolls the DDL back with the test.)
    check = next(c for c in Quote._meta.constraints if c.name == "quote_accepted_is_signed")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left: ALTER may run
    with connection.schema_editor() as editor:
        editor.remove_constraint(Quote, check)
    Quote.objects.filter(pk=accepted.pk).update(accepted_monthly=None)
    migration = importlib.import_module("cto.pricing.migrations.0002_quote_accepted_monthly")
    migration.accepted_monthly_fill(django_apps, None)
    accepted.refresh_from_db()
    assert accepted.accepted_monthly == signed


def test_the_revenue_page_is_an_operator_page_and_its_old_address_redirects(
    client: Client, operator: User
) -> None:
    assert reverse("pricing:revenue") == "/ops/revenue/"
    client.force_login(operator)
    moved = client.get("/portal/revenue/")
    assert moved.status_code == 301
    assert moved["Location"] == "/ops/revenue/"
