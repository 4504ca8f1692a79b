"""The invitation form (a real Django form already) refuses hostile values with a message, and
the team page answers a hostile invitation with the form again, 422, nothing written."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cto.users.forms import InvitationForm
from cto.users.models import Invitation, Membership, Organization
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data",
    [
        {"email": "pat\x00@acme.example", "role": "member"},
        {"email": "p" * 250 + "@acme.example", "role": "member"},
        {"email": "²", "role": "member"},
        {"email": "", "role": "member"},
        {"email": "pat@acme.example", "role": "admin"},
        {"email": "pat@acme.example", "role": "owner\x00"},
        {"email": "pat@acme.example", "role": ""},
    ],
)
def test_an_invitation_needs_an_address_and_a_role(data: dict[str, str]) -> None:
    assert not InvitationForm(data).is_valid()


def test_an_invitation_is_read() -> None:
    form = InvitationForm({"email": " pat@acme.example ", "role": "owner"})
    assert form.is_valid()
    assert form.cleaned_data == {"email": "pat@acme.example", "role": "owner"}


@pytest.mark.parametrize(
    "data",
    [
        {"email": "pat\x00@acme.example", "role": "member"},
        {"email": "pat@acme.example", "role": "root"},
    ],
)
def test_a_hostile_invitation_answers_422_and_writes_nothing(
    organization: Organization, data: dict[str, str]
) -> None:
    owner = MembershipFactory(organization=organization, role=Membership.Role.OWNER).user
    client = Client()
    client.force_login(owner)
    reply = client.post(reverse("users:invite", args=[organization.pk]), data)
    assert reply.status_code == 422
    assert 'name="email"' in reply.text
    assert not Invitation.objects.exists()
