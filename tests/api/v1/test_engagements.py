"""/api/v1/engagements: scoped as the portal is, filtered, paged, with the page's timeline."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import engagement_transition
from cto.playbooks.loading import playbooks_load
from cto.pricing import services as pricing_services
from cto.users.models import Organization, User
from tests.api.conftest import BearerFor
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/engagements"


def _ids(response: object) -> list[int]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return [item["id"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_a_client_lists_their_organisations_engagements_only(
    client: Client,
    client_user: User,
    engagement: Engagement,
    foreign_engagement: Engagement,
    bearer_for: BearerFor,
) -> None:
    assert _ids(client.get(LIST, headers=bearer_for(client_user))) == [engagement.pk]


def test_an_operator_lists_every_engagement(
    client: Client,
    operator: User,
    engagement: Engagement,
    foreign_engagement: Engagement,
    bearer_for: BearerFor,
) -> None:
    ids = _ids(client.get(LIST, headers=bearer_for(operator)))
    assert sorted(ids) == sorted([engagement.pk, foreign_engagement.pk])


def test_the_list_filters_by_stage_organisation_and_change_time(
    client: Client,
    operator: User,
    engagement: Engagement,
    foreign_engagement: Engagement,
    organization: Organization,
    bearer_for: BearerFor,
) -> None:
    headers = bearer_for(operator)
    engagement_transition(engagement=engagement, to="qualified", by=operator)
    assert _ids(client.get(LIST, {"stage": "qualified"}, headers=headers)) == [engagement.pk]
    assert _ids(client.get(LIST, {"organization": organization.pk}, headers=headers)) == [
        engagement.pk
    ]
    Engagement.objects.filter(pk=foreign_engagement.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert _ids(client.get(LIST, {"updated_since": since}, headers=headers)) == [engagement.pk]
    # A time without an offset is UTC; a date alone is its midnight.
    naive = (timezone.now() - datetime.timedelta(days=1)).replace(tzinfo=None).isoformat()
    assert _ids(client.get(LIST, {"updated_since": naive}, headers=headers)) == [engagement.pk]


def test_a_client_filtering_by_a_foreign_organisation_gets_an_empty_list(
    client: Client,
    client_user: User,
    foreign_engagement: Engagement,
    bearer_for: BearerFor,
) -> None:
    organization = foreign_engagement.organization_id
    assert (
        _ids(client.get(LIST, {"organization": organization}, headers=bearer_for(client_user)))
        == []
    )


def test_pages_are_limit_and_offset_with_the_total_count(
    client: Client, operator: User, bearer_for: BearerFor
) -> None:
    made = [EngagementFactory() for _ in range(5)]
    for n, engagement in enumerate(made):  # the oldest change first
        Engagement.objects.filter(pk=engagement.pk).update(
            updated_at=timezone.now() - datetime.timedelta(hours=10 - n)
        )
    headers = bearer_for(operator)
    newest_first = [engagement.pk for engagement in reversed(made)]
    first = client.get(LIST, {"limit": 2}, headers=headers).json()
    assert (first["count"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [item["id"] for item in first["items"]] == newest_first[:2]
    last = client.get(LIST, {"limit": 2, "offset": 4}, headers=headers).json()
    assert [item["id"] for item in last["items"]] == newest_first[4:]
    beyond = client.get(LIST, {"offset": 50}, headers=headers).json()
    assert (beyond["count"], beyond["items"]) == (5, [])


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"limit": "ten"},
        {"stage": "won"},
        {"organization": 2**64},
        {"updated_since": "yesterday"},
        {"updated_since": "0001-01-01T00:00:00+05:00"},  # out of range once in UTC
        {"organisation": 3},  # a misspelt filter is refused, not ignored
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    client: Client, client_user: User, bearer_for: BearerFor, query: dict[str, object]
) -> None:
    response = client.get(LIST, query, headers=bearer_for(client_user))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == [f"query.{next(iter(query))}"]


def test_the_list_costs_three_queries_whatever_its_length(
    client: Client, operator: User, bearer_for: BearerFor, django_assert_num_queries: object
) -> None:
    for _ in range(6):
        EngagementFactory()
    headers = bearer_for(operator)
    client.get(LIST, headers=headers)  # the token's first use writes its last use
    # The token with its owner, the count, the page with organisations.
    with django_assert_num_queries(3):  # type: ignore[operator]  # pytest-django's fixture
        assert len(client.get(LIST, headers=headers).json()["items"]) == 6


def test_the_detail_shows_the_tracker_and_the_next_step(
    client: Client, client_user: User, engagement: Engagement, bearer_for: BearerFor
) -> None:
    body = client.get(f"{LIST}/{engagement.pk}", headers=bearer_for(client_user)).json()
    assert (body["id"], body["title"], body["stage"]) == (engagement.pk, engagement.title, "lead")
    assert body["organization"] == {
        "id": engagement.organization_id,
        "name": engagement.organization.name,
    }
    assert body["tracker"][0] == {"stage": "lead", "status": "current", "reason": ""}
    assert body["next_step"]["text"]
    assert body["counts"] == {"audits": 0, "quotes": 0}
    assert body["plan"] is None
    assert body["url"].endswith(engagement.get_absolute_url())


def test_the_detail_costs_a_fixed_number_of_queries(
    client: Client,
    client_user: User,
    engagement: Engagement,
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    headers = bearer_for(client_user)
    url = f"{LIST}/{engagement.pk}"
    client.get(url, headers=headers)
    # The token with its owner, the engagement with what the page joins in, its audits, its
    # quotes, the stage moves, the checklist and report row (selectors.engagement_progress).
    with django_assert_num_queries(6):  # type: ignore[operator]  # pytest-django's fixture
        assert client.get(url, headers=headers).status_code == 200


@pytest.mark.parametrize("suffix", ["", "/timeline"])
def test_a_foreign_engagement_is_404(
    client: Client,
    client_user: User,
    foreign_engagement: Engagement,
    bearer_for: BearerFor,
    suffix: str,
) -> None:
    response = client.get(
        f"{LIST}/{foreign_engagement.pk}{suffix}", headers=bearer_for(client_user)
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert foreign_engagement.title not in response.text


def test_the_timeline_shows_a_client_what_the_page_shows_them(
    client: Client,
    client_user: User,
    operator: User,
    engagement: Engagement,
    bearer_for: BearerFor,
) -> None:
    playbooks_load(publish=True)
    engagement_transition(engagement=engagement, to="qualified", by=operator)
    pricing_services.quote_draft(engagement=engagement, tier_keys=["ai-cto-lead"], by=operator)
    events = ActivityEvent.objects.filter(engagement=engagement)
    draft_events = events.filter(verb=ActivityEvent.Verb.QUOTE_CHANGED).count()
    assert draft_events >= 1

    url = f"{LIST}/{engagement.pk}/timeline"
    as_client = client.get(url, headers=bearer_for(client_user)).json()
    as_operator = client.get(url, headers=bearer_for(operator)).json()
    assert as_operator["count"] == events.count()
    assert as_client["count"] == events.count() - draft_events
    assert all(item["verb"] != "quote.changed" for item in as_client["items"])
    # The same events, in the same order, as the engagement page shows the client.
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url(), {"timeline": "all"}).context["timeline"]
    assert [item["id"] for item in as_client["items"]] == [event.pk for event in page.events]
    newest = as_client["items"][0]
    assert newest["summary"] == "Stage moved from Lead to Qualified"
    assert newest["actor"] == str(operator)
