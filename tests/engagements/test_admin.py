"""The operators' admin: pages load, actions and edits go through the services."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def inline_management(client: Client, url: str) -> dict[str, str]:
    """The management forms of the page's read-only inlines (timeline, intake, audits...),
    which every change-form post carries."""
    data = {}
    for inline in client.get(url).context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


@pytest.fixture
def admin_client_for(client: Client, operator: User) -> Client:
    client.force_login(operator)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/engagements/engagement/",
        "/admin/engagements/engagement/?stage__exact=lead&kind__exact=ai",
        "/admin/engagements/engagement/?q=acme",
        "/admin/engagements/engagement/add/",
        "/admin/users/organization/",
        "/admin/users/user/",
        "/admin/users/user/add/",
    ],
)
def test_admin_pages_load_for_an_operator(
    admin_client_for: Client, engagement: Engagement, url: str
) -> None:
    assert admin_client_for.get(url).status_code == 200


def test_admin_change_pages_load(
    admin_client_for: Client, engagement: Engagement, client_user: User
) -> None:
    for obj, name in [
        (engagement, "engagements_engagement_change"),
        (engagement.organization, "users_organization_change"),
        (client_user, "users_user_change"),
    ]:
        response = admin_client_for.get(reverse(f"admin:{name}", args=[obj.pk]))
        assert response.status_code == 200


def test_engagement_search_finds_by_contact_email(
    admin_client_for: Client, engagement: Engagement, client_user: User
) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(contact=client_user)
    response = admin_client_for.get(
        "/admin/engagements/engagement/", {"q": client_user.email.upper()}
    )
    assert list(response.context["cl"].result_list) == [engagement]


def test_engagement_search_needs_every_word_in_a_title_organisation_or_contact(
    admin_client_for: Client, engagement: Engagement, other_organization: Organization
) -> None:
    other = EngagementFactory(organization=other_organization, title="Search relevance")

    def found(words: str) -> list[Engagement]:
        response = admin_client_for.get("/admin/engagements/engagement/", {"q": words})
        return list(response.context["cl"].result_list)

    assert found(engagement.organization.name.lower()) == [engagement]
    assert found("globex relevance") == [other]
    assert found("globex nothing-like-it") == []


def test_the_search_is_served_by_trigram_indexes() -> None:
    # What makes the search fast at 100k engagements (make bench): each searched column has a
    # GIN trigram index on the expression Django's icontains uses.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"]
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "engagement_title_trgm",
        "organization_name_trgm",
        "user_email_trgm",
        "user_name_trgm",
    }
    assert all("gin_trgm_ops" in definition for definition in indexes.values())


def test_a_client_cannot_reach_the_admin(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    response = client.get("/admin/engagements/engagement/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_admin_login_page_is_allauths(client: Client) -> None:
    response = client.get("/admin/login/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_transition_action_goes_through_the_service(
    admin_client_for: Client, engagement: Engagement, operator: User
) -> None:
    response = admin_client_for.post(
        "/admin/engagements/engagement/",
        {"action": "move_to_qualified", "_selected_action": [engagement.pk]},
        follow=True,
    )
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
    assert event.actor == operator
    assert "Moved 1 engagement(s) to “Qualified”." in [
        m.message for m in get_messages(response.wsgi_request)
    ]


def test_illegal_transition_action_reports_why_and_changes_nothing(
    admin_client_for: Client, engagement: Engagement
) -> None:
    response = admin_client_for.post(
        "/admin/engagements/engagement/",
        {"action": "move_to_completed", "_selected_action": [engagement.pk]},
        follow=True,
    )
    engagement.refresh_from_db()
    assert engagement.stage == Stage.LEAD
    assert not engagement.events.exists()
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert any("cannot move to “Completed”" in message for message in messages)


def test_adding_an_engagement_in_admin_records_the_creation(
    admin_client_for: Client, organization: Organization, operator: User
) -> None:
    response = admin_client_for.post(
        "/admin/engagements/engagement/add/",
        {"organization": organization.pk, "title": "New work", "kind": "ai", "lead": operator.pk},
    )
    assert response.status_code == 302
    engagement = Engagement.objects.get(title="New work")
    assert engagement.stage == Stage.LEAD
    assert engagement.events.get().verb == ActivityEvent.Verb.CREATED


def test_editing_in_admin_records_an_event_and_bumps_the_version(
    admin_client_for: Client, engagement: Engagement
) -> None:
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    response = admin_client_for.post(
        url,
        {
            "title": "Renamed",
            "kind": "generic",
            "seen_version": engagement.version,
            **inline_management(admin_client_for, url),
        },
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert (engagement.title, engagement.version) == ("Renamed", 2)
    assert engagement.events.get().data == {"fields": ["kind", "lead", "title"]}


def test_stale_admin_edit_is_refused_with_a_message(
    admin_client_for: Client, engagement: Engagement, operator: User
) -> None:
    from cto.engagements.services import engagement_update

    engagement_update(
        engagement=engagement, by=operator, expected_version=1, title="Someone else's title"
    )
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    response = admin_client_for.post(
        url,
        {
            "title": "My title",
            "kind": "ai",
            "seen_version": 1,
            **inline_management(admin_client_for, url),
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this engagement" in response.text
    engagement.refresh_from_db()
    assert engagement.title == "Someone else's title"
