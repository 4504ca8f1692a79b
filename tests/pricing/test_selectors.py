"""Which sent quotes are about to expire (quotes_expiring), on PostgreSQL. How soon counts,
and how the dashboard words it, is tests/ops/test_selectors.py's."""

from __future__ import annotations

import datetime

import pytest

from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.pricing import services
from cto.pricing.models import Quote
from cto.pricing.playbooks import tier_load_shipped
from cto.pricing.selectors import quotes_expiring
from cto.users.models import User
from tests.clock import TODAY
from tests.pricing.factories import QuoteFactory

pytestmark = pytest.mark.django_db
HORIZON = TODAY + datetime.timedelta(days=7)


@pytest.fixture
def sent_quote(engagement: Engagement, operator: User) -> Quote:
    tier_load_shipped(publish=True)
    quote = services.quote_draft(engagement=engagement, tier_keys=["ai-cto-lead"], by=operator)
    return services.quote_send(quote=quote, by=operator)


def expire_in(quote: Quote, days: int) -> None:
    Quote.objects.filter(pk=quote.pk).update(valid_until=TODAY + datetime.timedelta(days=days))


def expiring() -> list[Quote]:
    return list(quotes_expiring(by=HORIZON, limit=10))


@pytest.mark.parametrize("days", [-30, -1, 0, 7])
def test_a_sent_quote_expiring_by_the_horizon_is_found(sent_quote: Quote, days: int) -> None:
    expire_in(sent_quote, days)
    [found] = expiring()
    assert found == sent_quote
    assert found.waiting_total == 1


def test_a_quote_expiring_after_the_horizon_is_not(sent_quote: Quote) -> None:
    expire_in(sent_quote, 8)
    assert expiring() == []


def test_only_sent_quotes_can_expire_unanswered(sent_quote: Quote) -> None:
    expire_in(sent_quote, 1)
    Quote.objects.filter(pk=sent_quote.pk).update(status=Quote.Status.DECLINED)
    assert expiring() == []


def test_a_quote_of_a_resting_engagement_is_not_expiring(sent_quote: Quote) -> None:
    expire_in(sent_quote, 1)
    Engagement.objects.filter(pk=sent_quote.engagement_id).update(stage=Stage.LOST)
    assert expiring() == []


# --- Who may read which quote (Quote.objects.for_user) -------------------------------------------


def test_a_client_reads_no_draft_and_an_operator_every_quote(
    engagement: Engagement, operator: User, client_user: User
) -> None:
    draft = QuoteFactory(engagement=engagement, status=Quote.Status.DRAFT)
    sent = QuoteFactory(engagement=engagement, status=Quote.Status.SENT)
    assert list(Quote.objects.for_user(client_user)) == [sent]
    assert Quote.objects.for_user(client_user).count() == 1
    assert set(Quote.objects.for_user(operator)) == {draft, sent}
    assert list(engagement.quotes.shown_to(client_user)) == [sent]
