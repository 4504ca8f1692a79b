"""Pages cached until the data changes (`{% changefragment %}`): served from the cache, fresh
after any write (bulk ones included), never stale because of a write that was open while the
page was read, each visitor with their own CSRF token, their own version and their own access
check. These tests commit (transaction=True): inside a transaction nothing is cached."""

from __future__ import annotations

import datetime
import re

import psycopg
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.core.pagecache import csrf_placeholder
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import OperatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Raw SQL, as another process (or a hand in psql) would write.
RENAME = "UPDATE engagements_engagement SET title = %s WHERE id = %s"

DASHBOARD = "/ops/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What differs from one response to the next by design: the CSRF token (masked afresh), the
# CSP nonce.
PER_RESPONSE = re.compile(r'value="[^"]+"|"X-CSRFToken": "[^"]+"|nonce="[^"]+"')


def signed_in(user: User, **options: bool) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def test_the_dashboard_is_served_from_the_cache_until_something_changes(
    operator: User, engagement: Engagement, django_assert_num_queries
) -> None:
    client = signed_in(operator)
    first = client.get(DASHBOARD)
    assert engagement.title in first.text
    with django_assert_num_queries(2):  # the user, the mark (the session is cached)
        again = client.get(DASHBOARD)
    assert PER_RESPONSE.sub("", again.text) == PER_RESPONSE.sub("", first.text)
    assert TOKEN.findall(again.text) != TOKEN.findall(first.text)  # masked afresh
    # A bulk update sends no signal: the trigger still counts it.
    Engagement.objects.filter(pk=engagement.pk).update(title="Renamed in bulk")
    fresh = client.get(DASHBOARD).text
    assert "Renamed in bulk" in fresh
    assert engagement.title not in fresh


def test_what_was_read_while_a_write_was_open_is_not_kept(
    operator: User, engagement: Engagement, other_connection: psycopg.Connection
) -> None:
    client = signed_in(operator)
    with other_connection.cursor() as cursor:
        cursor.execute(
            RENAME,
            ["Renamed elsewhere", engagement.pk],
        )
    # The counter has moved, the new title is not visible yet: this page shows the old title
    # and must not be cached under the new count, or it would be served after the commit.
    assert engagement.title in client.get(DASHBOARD).text
    other_connection.commit()
    assert "Renamed elsewhere" in client.get(DASHBOARD).text


def test_a_new_day_is_a_new_page(
    operator: User, engagement: Engagement, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(operator)
    today = timezone.localdate()
    assert f"{today:%A} {today.day} {today:%B} {today.year}" in client.get(DASHBOARD).text
    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    page = client.get(DASHBOARD).text
    assert f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B} {tomorrow.year}" in page


def test_a_cached_page_carries_each_operators_own_csrf_token(
    operator: User, organization: object, django_assert_num_queries
) -> None:
    engagement = EngagementFactory(organization=organization, stage=Stage.LEAD)
    second = signed_in(OperatorFactory(), enforce_csrf_checks=True)  # signing in is a change
    signed_in(operator).get(DASHBOARD)  # cached by the first operator
    with django_assert_num_queries(2):  # the user and the mark: from the cache
        page = second.get(DASHBOARD).text
    assert csrf_placeholder() not in page
    # The token of the card's own form, inside the cached part (the header's sign-out form is
    # rendered afresh anyway).
    card = page[page.index(f'id="engagement-{engagement.pk}"') :]
    token = TOKEN.search(card[: card.index("</article>")])
    assert token is not None
    response = second.post(
        reverse("ops:advance", args=[engagement.pk]),
        {"csrfmiddlewaretoken": token.group(1), "to": Stage.QUALIFIED, "version": "1"},
    )
    assert response.status_code == 303  # not 403: the token is this operator's own
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    # The message (outside the cached part) and the card at its new stage, at once.
    page = second.get(DASHBOARD).text
    assert "Moved to “Qualified”" in page
    card = page[page.index(f'id="engagement-{engagement.pk}"') :]
    assert 'class="badge badge-qualified"' in card[: card.index("</article>")]


def test_the_engagement_page_is_each_visitors_own(
    client_user: User, operator: User, engagement: Engagement, django_assert_num_queries
) -> None:
    url = engagement.get_absolute_url()
    as_client, as_operator = signed_in(client_user), signed_in(operator)
    assert "Open a new audit" not in as_client.get(url).text
    assert "Open a new audit" in as_operator.get(url).text
    # From the cache: the user, the mark, the engagement (found again for every request).
    with django_assert_num_queries(3):
        assert "Open a new audit" not in as_client.get(url).text
    with django_assert_num_queries(3):
        assert "Open a new audit" in as_operator.get(url).text


def test_a_cached_engagement_page_still_answers_404_to_outsiders(
    client_user: User, engagement: Engagement, foreign_engagement: Engagement, operator: User
) -> None:
    as_client = signed_in(client_user)
    signed_in(operator).get(foreign_engagement.get_absolute_url())  # now cached
    response = as_client.get(foreign_engagement.get_absolute_url())
    assert response.status_code == 404
    assert foreign_engagement.title not in response.text
    assert as_client.get(engagement.get_absolute_url()).status_code == 200
    client_user.memberships.all().delete()
    assert as_client.get(engagement.get_absolute_url()).status_code == 404
