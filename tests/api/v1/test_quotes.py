"""/api/v1/ quotes: read only, scoped as the quote page is (a client never sees a draft), with
the page's totals; acceptance stays on the page."""

from __future__ import annotations

import pytest
from django.test import Client

from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.playbooks.loading import playbooks_load
from cto.pricing import services as pricing_services
from cto.pricing.models import Quote
from cto.users.models import User
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import WriterFor, problem

pytestmark = pytest.mark.django_db


def _quote(engagement: Engagement, operator: User, *, send: bool) -> Quote:
    engagement.refresh_from_db()
    if engagement.stage == "lead":
        engagement_transition(engagement=engagement, to="qualified", by=operator)
    quote = pricing_services.quote_draft(
        engagement=engagement, tier_keys=["ai-cto-lead"], by=operator
    )
    return pricing_services.quote_send(quote=quote, by=operator) if send else quote


@pytest.fixture
def quotes(engagement: Engagement, operator: User) -> tuple[Quote, Quote]:
    """A sent quote, then a draft (the next number)."""
    playbooks_load(publish=True)
    sent = _quote(engagement, operator, send=True)
    return sent, _quote(engagement, operator, send=False)


def test_a_client_reads_sent_quotes_and_never_a_draft(
    client: Client,
    client_user: User,
    engagement: Engagement,
    quotes: tuple[Quote, Quote],
    bearer_for: BearerFor,
) -> None:
    sent, draft = quotes
    headers = bearer_for(client_user)
    body = client.get(f"/api/v1/engagements/{engagement.pk}/quotes", headers=headers).json()
    assert [item["id"] for item in body["items"]] == [sent.pk]
    assert body["items"][0]["status"] == "sent"
    problem(client.get(f"/api/v1/quotes/{draft.pk}", headers=headers), 404)
    assert client.get(f"/api/v1/quotes/{sent.pk}", headers=headers).status_code == 200


def test_an_operator_reads_drafts_too(
    client: Client,
    operator: User,
    engagement: Engagement,
    quotes: tuple[Quote, Quote],
    bearer_for: BearerFor,
) -> None:
    sent, draft = quotes
    body = client.get(
        f"/api/v1/engagements/{engagement.pk}/quotes", headers=bearer_for(operator)
    ).json()
    assert [item["id"] for item in body["items"]] == [draft.pk, sent.pk]


def test_a_foreign_quote_or_engagement_is_404_and_no_token_401(
    client: Client,
    client_user: User,
    operator: User,
    foreign_engagement: Engagement,
    quotes: tuple[Quote, Quote],
    bearer_for: BearerFor,
) -> None:
    foreign = _quote(foreign_engagement, operator, send=True)
    headers = bearer_for(client_user)
    problem(client.get(f"/api/v1/quotes/{foreign.pk}", headers=headers), 404)
    problem(client.get(f"/api/v1/engagements/{foreign_engagement.pk}/quotes", headers=headers), 404)
    problem(client.get(f"/api/v1/quotes/{foreign.pk}"), 401)


def test_the_detail_has_the_pages_options_lines_and_totals(
    client: Client, client_user: User, quotes: tuple[Quote, Quote], bearer_for: BearerFor
) -> None:
    sent, _ = quotes
    body = client.get(f"/api/v1/quotes/{sent.pk}", headers=bearer_for(client_user)).json()
    options = list(sent.options.prefetch_related("lines"))
    assert [option["id"] for option in body["options"]] == [option.pk for option in options]
    totals = options[0].totals()
    assert body["options"][0]["totals"] == {
        "monthly": f"{totals.monthly:f}",
        "one_off": f"{totals.one_off:f}",
        "first_term": f"{totals.first_term:f}",
    }
    assert [line["label"] for line in body["options"][0]["lines"]] == [
        line.label for line in options[0].lines.order_by("position", "id")
    ]
    assert body["url"].endswith(sent.get_absolute_url())


def test_the_detail_and_the_list_cost_a_fixed_number_of_queries(
    client: Client,
    operator: User,
    engagement: Engagement,
    quotes: tuple[Quote, Quote],
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    sent, _ = quotes
    headers = bearer_for(operator)
    list_url = f"/api/v1/engagements/{engagement.pk}/quotes"
    client.get(list_url, headers=headers)
    # The token with its owner, the engagement, the count, the page.
    with django_assert_num_queries(4):  # type: ignore[operator]  # pytest-django's fixture
        client.get(list_url, headers=headers)
    # The token, the quote, its options with their tiers, their lines.
    with django_assert_num_queries(4):  # type: ignore[operator]  # pytest-django's fixture
        assert client.get(f"/api/v1/quotes/{sent.pk}", headers=headers).status_code == 200


def test_there_is_no_write_acceptance_stays_on_the_page(
    client: Client, client_user: User, quotes: tuple[Quote, Quote], writer_for: WriterFor
) -> None:
    sent, _ = quotes
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            f"/api/v1/quotes/{sent.pk}", headers=writer_for(client_user)
        )
        assert problem(response, 405)
    sent.refresh_from_db()
    assert sent.status == "sent"
