"""cto/pricing/views.py through the client: the public pricing page, the client's quote page and
acceptance, isolation, and the operators' revenue page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.pricing import services
from cto.pricing.models import PricingTier, Quote
from cto.users.models import Organization, User
from tests.pricing.conftest import sign
from tests.pricing.factories import QuoteFactory
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_pricing_page_compares_tiers_and_shows_the_ai_premium(
    client: Client, tiers: list[PricingTier]
) -> None:
    page = client.get(reverse("pricing"))
    assert page.status_code == 200
    for tier in tiers:
        assert tier.name in page.text
    assert "Fractional AI CTO, Lead is 41% above Fractional CTO, Lead" in page.text  # 12000 vs 8500
    assert reverse("intake:home") in page.text
    assert "<li>One early trace, eval and failure mode</li>" in page.text
    assert "€12,000.00" in page.text  # the AI Lead's retainer, grouped as everywhere


def test_operators_edit_a_tiers_inclusions_one_a_line_in_the_admin(
    client: Client, tiers: list[PricingTier], operator: User
) -> None:
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])
    client.force_login(operator)
    tier = PricingTier.objects.get(key="ai-cto-lead")
    url = reverse("admin:pricing_pricingtier_change", args=[tier.pk])
    form = client.get(url)
    assert "Eval gates in the release path\nOne early trace, eval and failure mode" in form.text
    fields = {
        "key": tier.key,
        "name": tier.name,
        "kind": tier.kind,
        "currency": tier.currency,
        "monthly_retainer": "12000.00",
        "days_per_week": "1",
        "week_one_fee": "7500.00",
        "minimum_term_months": "3",
        "includes": "Agent tooling, traces and gates\r\n\r\n  Cost controls  \r\n",
        "active": "on",
        "order": "5",
    }
    assert client.post(url, fields).status_code == 302
    tier.refresh_from_db()
    assert tier.includes == ["Agent tooling, traces and gates", "Cost controls"]


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


def test_an_acceptance_without_the_terms_keeps_the_typed_name_and_choice(
    client: Client, sent: Quote
) -> None:
    client.force_login(sent.engagement.contact)
    chosen = sent.options.get(label="good")  # not the recommended one
    reply = client.post(
        reverse("pricing:accept", args=[sent.pk]),
        {"option": chosen.pk, "full_name": "Pat O'Lee"},
    )
    assert reply.status_code == 422
    assert "Please read and agree to the terms first." in reply.text
    assert 'value="Pat O&#x27;Lee"' in reply.text
    assert f'value="{chosen.pk}" id="pick-{chosen.pk}" required checked' in reply.text
    recommended = sent.options.get(label="best")
    assert f'id="pick-{recommended.pk}" required >' in reply.text
    sent.refresh_from_db()
    assert sent.status == "sent"


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
    assert f'<a href="{reverse("pricing:revenue")}">Revenue</a>' in page.text  # not "Operations"
    assert "€16,387.50" in page.text  # the Lead option, with its driver lines


def test_the_revenue_page_is_an_operator_page_and_its_old_address_redirects(
    client: Client, operator: User
) -> None:
    assert reverse("pricing:revenue") == "/ops/revenue/"
    client.force_login(operator)
    moved = client.get("/portal/revenue/")
    assert moved.status_code == 301
    assert moved["Location"] == "/ops/revenue/"


# --- Drafts are the practice's until they are sent ---------------------------------------------


def test_a_client_asking_for_a_draft_gets_404_and_a_sent_quote_200(
    client: Client, engagement: Engagement, client_user: User
) -> None:
    draft = QuoteFactory(engagement=engagement, status=Quote.Status.DRAFT)
    sent = QuoteFactory(engagement=engagement, status=Quote.Status.SENT)
    client.force_login(client_user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(sent.get_absolute_url()).status_code == 200
    reply = client.post(
        reverse("pricing:accept", args=[draft.pk]),
        {"agree": "yes", "option": draft.options.first().pk, "full_name": "Pat Lee"},
    )
    assert reply.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Quote.Status.DRAFT


def test_an_operator_sees_drafts_and_sent_quotes(
    client: Client, engagement: Engagement, operator: User
) -> None:
    draft = QuoteFactory(engagement=engagement, status=Quote.Status.DRAFT)
    sent = QuoteFactory(engagement=engagement, status=Quote.Status.SENT)
    client.force_login(operator)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(sent.get_absolute_url()).status_code == 200
