"""Fixtures and helpers of the team tests: an owner of the organisation, and an invitation
sent by the service."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from cto.users import services
from cto.users.models import Invitation, Membership, Organization, User
from tests.users.factories import MembershipFactory

NEWCOMER = "new.person@acme.example"


@pytest.fixture
def owner(organization: Organization) -> User:
    return MembershipFactory(organization=organization, role=Membership.Role.OWNER).user


def _invite(
    organization: Organization, owner: User, email: str = NEWCOMER, role: str = "member"
) -> Invitation:
    return services.invitation_send(organization=organization, email=email, role=role, by=owner)


def _link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/portal/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _expire(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
