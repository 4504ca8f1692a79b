"""The operators' "due this week" list on PostgreSQL: which items it names, in which order, one
page at a time, in a fixed number of queries however many items are due."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.checklists import services
from cto.checklists.definition import FINISHED, due_date
from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.engagements.services import engagement_transition
from cto.engagements.stages import RESTING_STAGES
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db
URL = reverse("checklists:due_this_week")


@pytest.fixture(autouse=True)
def _template() -> None:
    checklist_template_load_shipped(publish=True)


def started(
    organization: Organization, operator: User, *, days_ago: int | None, title: str = ""
) -> Checklist:
    """A checklist on an engagement that started ``days_ago`` days ago (negative: it starts
    later; None: no start date yet)."""
    today = timezone.localdate()
    engagement = EngagementFactory(
        organization=organization,
        lead=operator,
        start_date=None if days_ago is None else today - datetime.timedelta(days=days_ago),
        **({"title": title} if title else {}),
    )
    return services.checklist_apply(engagement=engagement, by=operator).checklist


def expected_due(today: datetime.date) -> list[int]:
    """The list as the page describes it, worked out item by item in Python."""
    horizon = today + datetime.timedelta(days=7)
    due = []
    for item in ChecklistItem.objects.select_related("checklist__engagement"):
        engagement = item.checklist.engagement
        date = due_date(engagement.start_date, item.due_day)
        if (
            item.dropped_at is None
            and item.status not in FINISHED
            and engagement.stage not in RESTING_STAGES
            and date is not None
            and date <= horizon
        ):
            due.append((date, engagement.title, item.position, item.pk))
    return [pk for *_, pk in sorted(due)]


def listed(client: Client, query: str = "") -> list[ChecklistItem]:
    page = client.get(URL + query)
    assert page.status_code == 200
    return list(page.context["page"].object_list)


def test_it_lists_open_items_of_running_engagements_due_within_seven_days_soonest_first(
    client: Client, organization: Organization, operator: User
) -> None:
    today = timezone.localdate()
    running = started(organization, operator, days_ago=2, title="Running")
    later = started(organization, operator, days_ago=-4, title="Starts in four days")
    paused = started(organization, operator, days_ago=10, title="Paused")
    engagement_transition(engagement=paused.engagement, to="paused", by=operator)
    started(organization, operator, days_ago=None, title="Not started")
    first, second = running.items.order_by("position")[:2]
    services.item_drop(item=first, reason="Not needed", expected_version=None, by=operator)
    services.item_set_status(
        item=second, status="not_applicable", reason="Not here", expected_version=None, by=operator
    )
    client.force_login(operator)

    items = listed(client)

    assert [item.pk for item in items] == expected_due(today)
    assert {first.pk, second.pk}.isdisjoint(item.pk for item in items)
    assert {item.checklist.engagement.title for item in items} == {
        "Running",
        "Starts in four days",
    }
    # Day 5 of an engagement starting in four days is eight days away: not this week.
    assert {item.due_day for item in items if item.checklist_id == later.pk} == {1, 2, 3, 4}
    assert [item.due for item in items] == sorted(item.due for item in items)
    assert items[0].due == today - datetime.timedelta(days=2)
    assert "overdue" in client.get(URL).text


def test_it_pages_through_many_due_items(
    client: Client, organization: Organization, operator: User
) -> None:
    for index in range(8):
        started(organization, operator, days_ago=index % 3, title=f"Engagement {index}")
    everything = expected_due(timezone.localdate())
    assert len(everything) > 100  # more than a page
    client.force_login(operator)

    first, second = listed(client), listed(client, "?page=2")

    assert [item.pk for item in first + second] == everything[:200]
    assert len(first) == 100
    # Not a page number, or past the end: the first page, or the last, never an error.
    assert [item.pk for item in listed(client, "?page=%00x")] == everything[:100]
    last = client.get(URL + "?page=999")
    assert last.context["page"].number == last.context["page"].paginator.num_pages
    assert 'rel="next"' in client.get(URL).text


def test_nothing_due_says_so(client: Client, operator: User) -> None:
    client.force_login(operator)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Nothing is due this week." in page.text


@pytest.mark.parametrize("engagements", [1, 8])
def test_the_query_count_does_not_grow_with_the_items_due(
    client: Client,
    operator: User,
    client_user: User,
    engagements: int,
    django_assert_num_queries,
) -> None:
    for index in range(engagements):
        started(Organization.objects.create(name=f"Client {index}"), operator, days_ago=1)
    ChecklistItem.objects.filter(owner_side="client").update(owner=client_user)
    client.force_login(operator)
    client.get(URL)  # the session, now in the cache
    # user, the count, the page with its owners, its organisations
    with django_assert_num_queries(4):
        page = client.get(URL)
    assert page.status_code == 200
    shown = page.context["page"].object_list
    assert {item.checklist.engagement.organization.name for item in shown} == {
        f"Client {index}" for index in range(engagements)
    }
    assert client_user in {item.owner for item in shown}


def test_the_list_is_an_operator_page_and_its_old_address_redirects(client: Client) -> None:
    assert URL == "/ops/due-this-week/"
    moved = client.get("/portal/due-this-week/?page=2")
    assert moved.status_code == 301
    assert moved["Location"] == "/ops/due-this-week/?page=2"
