"""The webhook pages under /portal/webhooks/: who registers, manages and replays what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.users.models import Membership, Organization, User
from cto.webhooks import services
from cto.webhooks.models import Delivery, Endpoint
from tests.users.factories import MembershipFactory
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db

LIST = reverse("webhooks:list")
HTMX = {"HX-Request": "true"}
ALL = [value for value, _ in services.event_types()]
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{44}")


def _endpoint(receiver: Receiver, organization: Organization | None, by: User) -> Endpoint:
    return services.endpoint_create(
        organization=organization, url=receiver.url, description="CRM", types=ALL, by=by
    ).endpoint


def test_the_portal_home_links_to_the_page(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert f'href="{LIST}"' in client.get(reverse("engagements:portal_home")).text


def test_an_operator_registers_a_practice_wide_endpoint_and_sees_its_secret_once(
    client: Client, operator: User, receiver: Receiver
) -> None:
    client.force_login(operator)
    form = client.get(LIST).text
    assert 'name="organization"' not in form  # an operator's endpoints are practice-wide
    response = client.post(
        LIST, {"url": receiver.url, "description": "Ops", "event_types": ALL[:2]}
    )
    assert response.status_code == 201
    endpoint = Endpoint.objects.get()
    assert (endpoint.organization, endpoint.created_by, endpoint.event_types) == (
        None,
        operator,
        sorted(ALL[:2]),
    )
    assert SECRET.search(response.text).group() == endpoint.secret  # type: ignore[union-attr]
    assert endpoint.secret not in client.get(LIST).text
    assert endpoint.secret not in client.get(endpoint.get_absolute_url()).text


def test_an_owner_registers_an_endpoint_for_their_organisation(
    client: Client, owner: User, organization: Organization, receiver: Receiver
) -> None:
    client.force_login(owner)
    response = client.post(
        LIST,
        {"organization": organization.pk, "url": receiver.url, "event_types": ALL},
        headers=HTMX,
    )
    assert response.status_code == 201
    assert 'id="announcer"' in response.text
    assert Endpoint.objects.get().organization == organization


def test_an_owner_cannot_register_for_an_organisation_they_do_not_own(
    client: Client, owner: User, other_organization: Organization, receiver: Receiver
) -> None:
    client.force_login(owner)
    response = client.post(
        LIST, {"organization": other_organization.pk, "url": receiver.url, "event_types": ALL}
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not Endpoint.objects.exists()


def test_an_unsafe_url_is_refused_with_a_clear_message(
    client: Client, owner: User, organization: Organization
) -> None:
    client.force_login(owner)
    response = client.post(
        LIST,
        {"organization": organization.pk, "url": "https://10.0.0.5/hook", "event_types": ALL},
    )
    assert response.status_code == 422
    assert "resolves to 10.0.0.5, a private address" in response.text
    assert not Endpoint.objects.exists()


def test_no_kind_of_event_is_refused(
    client: Client, owner: User, organization: Organization, receiver: Receiver
) -> None:
    client.force_login(owner)
    response = client.post(LIST, {"organization": organization.pk, "url": receiver.url})
    assert response.status_code == 422
    assert "Choose at least one kind of event." in response.text


def test_a_member_who_is_not_an_owner_cannot_manage(
    client: Client, client_user: User, owner: User, organization: Organization, receiver: Receiver
) -> None:
    endpoint = _endpoint(receiver, organization, owner)
    client.force_login(client_user)
    page = client.get(LIST)
    assert page.status_code == 200
    assert "Only an owner of your organisation registers its webhooks." in page.text
    assert endpoint.url not in page.text
    response = client.post(
        LIST, {"organization": organization.pk, "url": receiver.url, "event_types": ALL}
    )
    assert response.status_code == 403
    assert client.get(endpoint.get_absolute_url()).status_code == 403
    assert client.post(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 403
    assert Endpoint.objects.count() == 1


def test_another_organisations_endpoint_is_404(
    client: Client, owner: User, other_organization: Organization, receiver: Receiver
) -> None:
    theirs = _endpoint(
        receiver,
        other_organization,
        MembershipFactory(organization=other_organization, role=Membership.Role.OWNER).user,
    )
    client.force_login(owner)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.post(theirs.get_absolute_url(), {"url": "x"}).status_code == 404
    assert client.post(reverse("webhooks:delete", args=[theirs.pk])).status_code == 404
    assert theirs.url not in client.get(LIST).text
    # Nor the practice's.
    practice = _endpoint(receiver, None, MembershipFactory(user__is_staff=True).user)
    assert client.get(practice.get_absolute_url()).status_code == 404


def test_an_owner_turns_an_endpoint_off_and_deletes_it(
    client: Client, owner: User, organization: Organization, receiver: Receiver
) -> None:
    endpoint = _endpoint(receiver, organization, owner)
    client.force_login(owner)
    response = client.post(
        endpoint.get_absolute_url(),
        {"url": receiver.url, "description": "CRM v2", "event_types": ["quote.accepted"]},
    )
    assert response.status_code == 303
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.description, endpoint.event_types) == (
        False,
        "CRM v2",
        ["quote.accepted"],
    )
    response = client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert (response.status_code, response["Location"]) == (303, LIST)
    assert not Endpoint.objects.exists()


def test_the_delivery_log_replays_a_delivery_with_its_id(
    client: Client,
    owner: User,
    organization: Organization,
    engagement: Engagement,
    operator: User,
    receiver: Receiver,
    django_assert_num_queries: Any,
) -> None:
    endpoint = _endpoint(receiver, organization, owner)
    engagement_transition(engagement=engagement, to="qualified", by=operator)
    engagement_transition(engagement=engagement, to="audit", by=operator)
    for delivery in Delivery.objects.order_by("id"):
        services.delivery_attempt(delivery_id=delivery.pk)
    client.force_login(owner)
    client.get(endpoint.get_absolute_url())  # a warm session
    # The user (the session is cached), the endpoint with its organisation, the deliveries,
    # their attempts: however many deliveries there are.
    with django_assert_num_queries(4):
        page = client.get(endpoint.get_absolute_url())
    delivery = Delivery.objects.order_by("id").first()
    assert delivery is not None
    assert delivery.message_id in page.text
    assert "answered 200" in page.text
    replay = reverse("webhooks:replay", args=[delivery.pk])
    response = client.post(replay)
    assert (response.status_code, response["Location"]) == (303, endpoint.get_absolute_url())
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    response = client.post(replay, headers=HTMX)
    assert response.status_code == 200
    assert f"Delivery {delivery.message_id} queued to be sent again." in response.text
    assert Delivery.objects.count() == 2


def test_a_foreign_delivery_cannot_be_replayed(
    client: Client,
    owner: User,
    foreign_engagement: Engagement,
    operator: User,
    receiver: Receiver,
) -> None:
    _endpoint(receiver, None, operator)
    engagement_transition(engagement=foreign_engagement, to="qualified", by=operator)
    delivery = Delivery.objects.get()
    client.force_login(owner)
    assert client.post(reverse("webhooks:replay", args=[delivery.pk])).status_code == 404
    assert client.post(reverse("webhooks:replay", args=[delivery.pk + 999])).status_code == 404
