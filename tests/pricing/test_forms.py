"""Pricing's forms refuse hostile values with a message, and the quote's views answer a hostile
POST with the quote page, that message and 422, writing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cto.core.forms import first_error
from cto.engagements.models import ActivityEvent, Engagement
from cto.pricing import forms, services
from cto.pricing.models import PricingTier, Quote, QuoteLine
from cto.pricing.playbooks import tier_load_shipped
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
AI_TIERS = ["ai-cto-advisor", "ai-cto-lead", "ai-cto-partner"]


@pytest.fixture
def tiers() -> object:
    return tier_load_shipped(publish=True)


@pytest.fixture
def draft(engagement: Engagement, operator: User, tiers: object) -> Quote:
    return services.quote_draft(engagement=engagement, tier_keys=AI_TIERS, by=operator)


@pytest.fixture
def foreign(other_organization: Organization, operator: User, tiers: object) -> Quote:
    engagement = EngagementFactory(organization=other_organization)
    return services.quote_draft(engagement=engagement, tier_keys=AI_TIERS[:1], by=operator)


def _line(quote: Quote, **changes: str) -> dict[str, str]:
    return {
        "option": str(quote.options.get(label="good").pk),
        "label": "Launch offer",
        "kind": "amount",
        "period": "monthly",
        "value": "-250",
    } | changes


@pytest.mark.parametrize(
    "value",
    ["²", "", "\x00", "NaN", "Infinity", "-Infinity", "1e999", "9" * 20, "lots", "1,5"],
)
def test_a_line_value_is_a_number_a_quote_can_hold(draft: Quote, value: str) -> None:
    form = forms.LineForm(_line(draft, value=value), quote=draft)
    assert not form.is_valid()
    assert "value" in form.errors


@pytest.mark.parametrize("value", ["10.001", "1.5e-3"])
def test_money_has_two_decimal_places(draft: Quote, value: str) -> None:
    form = forms.LineForm(_line(draft, value=value), quote=draft)
    assert not form.is_valid()
    assert first_error(form) == "Money has at most two decimal places, like 1500.50."


def test_a_factor_may_have_four_decimal_places_but_stays_small(draft: Quote) -> None:
    form = forms.LineForm(_line(draft, kind="multiplier", value="1.1500"), quote=draft)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("1.15")
    form = forms.LineForm(_line(draft, kind="multiplier", value="12345"), quote=draft)
    assert not form.is_valid()


@pytest.mark.parametrize(
    "changes",
    [
        {"label": ""},
        {"label": "x\x00"},
        {"label": "x" * 161},
        {"kind": "gift"},
        {"period": "weekly"},
        {"reason": "r" * 1001},
        {"option": "²"},
        {"option": "1.5"},
        {"option": ""},
        {"option": "9" * 20},
    ],
)
def test_a_line_needs_a_label_a_kind_a_period_and_an_option(
    draft: Quote, changes: dict[str, str]
) -> None:
    assert not forms.LineForm(_line(draft, **changes), quote=draft).is_valid()


def test_a_line_on_another_quotes_option_is_refused(draft: Quote, foreign: Quote) -> None:
    form = forms.LineForm(_line(draft, option=str(foreign.options.get().pk)), quote=draft)
    assert not form.is_valid()
    assert first_error(form) == forms.OPTION_MESSAGE


def test_a_valid_line_is_typed_with_the_defaults(draft: Quote) -> None:
    form = forms.LineForm(_line(draft, kind="", period="", value="1500.50"), quote=draft)
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (data["kind"], data["period"], data["value"]) == (
        QuoteLine.Kind.AMOUNT,
        QuoteLine.Period.MONTHLY,
        Decimal("1500.50"),
    )
    assert data["option"] == draft.options.get(label="good")


@pytest.mark.parametrize("option", ["²", "1.5", "", "\x00", "NaN", "9" * 20, "foreign"])
def test_a_signature_names_an_option_of_this_quote(
    draft: Quote, foreign: Quote, option: str
) -> None:
    if option == "foreign":
        option = str(foreign.options.get().pk)
    form = forms.AcceptForm({"option": option, "full_name": "Pat Lee", "agree": "yes"}, quote=draft)
    assert not form.is_valid()
    assert "option" in form.errors


@pytest.mark.parametrize(
    "data", [{"full_name": "Pat\x00Lee"}, {"full_name": "x" * 201}, {"agree": "sure"}]
)
def test_a_signature_refuses_a_hostile_name_or_agreement(
    draft: Quote, data: dict[str, str]
) -> None:
    base = {"option": str(draft.options.first().pk), "full_name": "Pat Lee", "agree": "yes"}
    assert not forms.AcceptForm(base | data, quote=draft).is_valid()


@pytest.mark.parametrize("tier", ["", "\x00", "²", "no-such-tier"])
def test_a_new_quote_offers_active_tiers(tiers: object, tier: str) -> None:
    assert not forms.QuoteNewForm({"tier": [tier]}).is_valid()


def test_an_inactive_tier_is_no_choice(tiers: object) -> None:
    PricingTier.objects.filter(key=AI_TIERS[0]).update(active=False)
    assert not forms.QuoteNewForm({"tier": [AI_TIERS[0]]}).is_valid()
    assert forms.QuoteNewForm({"tier": AI_TIERS[1:]}).is_valid()


# --- The views --------------------------------------------------------------------------------


def _counts(quote: Quote) -> tuple[object, ...]:
    quote.refresh_from_db()
    return (
        quote.status,
        quote.version,
        QuoteLine.objects.count(),
        Quote.objects.count(),
        ActivityEvent.objects.count(),
    )


@pytest.mark.parametrize(
    "changes",
    [{"value": "1e999"}, {"value": "NaN"}, {"value": "9" * 20}, {"option": "²"}, {"label": "\x00"}],
)
def test_a_hostile_line_answers_the_quote_page_with_422(
    client: Client, operator: User, draft: Quote, changes: dict[str, str]
) -> None:
    client.force_login(operator)
    before = _counts(draft)
    reply = client.post(reverse("pricing:line_add", args=[draft.pk]), _line(draft, **changes))
    assert reply.status_code == 422
    assert "message-error" in reply.text
    assert f"Quote {draft.number}" in reply.text
    assert _counts(draft) == before


@pytest.mark.parametrize("option", ["²", "1.5", "", "9" * 20, "foreign"])
def test_a_hostile_signature_answers_422_and_accepts_nothing(
    client: Client, operator: User, draft: Quote, foreign: Quote, option: str
) -> None:
    sent = services.quote_send(quote=draft, by=operator)
    member = MembershipFactory(organization=sent.engagement.organization).user
    if option == "foreign":
        option = str(foreign.options.get().pk)
    client.force_login(member)
    before = _counts(sent)
    reply = client.post(
        reverse("pricing:accept", args=[sent.pk]),
        {"agree": "yes", "option": option, "full_name": "Pat Lee"},
    )
    assert reply.status_code == 422
    assert forms.OPTION_MESSAGE in reply.text
    assert _counts(sent) == before


@pytest.mark.parametrize("tier", ["\x00", "²", "no-such-tier"])
def test_a_hostile_new_quote_is_refused_with_the_message(
    client: Client, operator: User, engagement: Engagement, tiers: object, tier: str
) -> None:
    client.force_login(operator)
    reply = client.post(reverse("pricing:new", args=[engagement.pk]), {"tier": tier}, follow=True)
    assert reply.status_code == 200
    assert "Choose active tiers, each once." in reply.text
    assert not Quote.objects.exists()
