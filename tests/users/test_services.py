"""cto/users/services.py on PostgreSQL: invitations sent, replaced, withdrawn and accepted,
members removed and leaving, users and organisations found or created."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from pytest_django.fixtures import Settings

from cto.users import services
from cto.users.models import Invitation, Membership, Organization, OrganizationEvent, User
from cto.users.services import organization_get_or_create, user_get_or_create
from tests.users.conftest import NEWCOMER, _expire, _invite, _link_in
from tests.users.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_owner_invites_and_the_link_is_emailed_once_after_commit(
    organization: Organization, owner: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = _invite(organization, owner, email="  Pat.Lee@ACME.example ")
    assert len(callbacks) == 1  # the task is published after commit; here we run its service
    assert invitation.email == "pat.lee@acme.example"
    assert invitation.status == Invitation.Status.PENDING
    ttl = invitation.expires_at - invitation.created_at
    assert datetime.timedelta(days=7) - ttl < datetime.timedelta(seconds=5)

    assert services.invitation_email_send(invitation_id=invitation.pk) is True
    assert services.invitation_email_send(invitation_id=invitation.pk) is False  # redelivered
    [message] = mail.outbox
    assert message.to == ["pat.lee@acme.example"]
    assert message.subject == "[cto] You are invited to join Acme Robotics with cto"
    assert f"{owner} ({owner.email}) invites you to join Acme Robotics" in message.body
    assert _link_in(message) == invitation.get_absolute_url()
    event = OrganizationEvent.objects.get()
    assert (event.verb, event.actor, event.email) == ("invited", owner, "pat.lee@acme.example")


def test_the_link_lives_as_many_days_as_the_setting_says(
    organization: Organization, owner: User, settings: Settings
) -> None:
    settings.INVITATION_TTL_DAYS = 2
    invitation = _invite(organization, owner)
    ttl = invitation.expires_at - invitation.created_at
    assert datetime.timedelta(days=2) - ttl < datetime.timedelta(seconds=5)


def test_a_member_who_is_not_an_owner_cannot_invite(
    organization: Organization, client_user: User
) -> None:
    with pytest.raises(PermissionDenied, match="Only an owner of Acme Robotics"):
        _invite(organization, client_user)
    assert not Invitation.objects.exists()
    assert not OrganizationEvent.objects.exists()


def test_inviting_someone_who_is_already_a_member_is_refused(
    organization: Organization, owner: User, client_user: User
) -> None:
    with pytest.raises(services.TeamError) as refused:
        _invite(organization, owner, email=client_user.email.upper())
    assert refused.value.message_dict == {
        "email": [f"{client_user.email} is already a member of Acme Robotics."]
    }
    assert not Invitation.objects.exists()


def test_sending_again_replaces_the_open_invitation_and_its_link_stops_working(
    organization: Organization, owner: User
) -> None:
    first = _invite(organization, owner)
    _expire(first)  # an expired invitation is open too, until replaced
    second = _invite(organization, owner, email=NEWCOMER.upper(), role="owner")
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert first.revoked_by == owner
    assert list(Invitation.objects.open()) == [second]
    assert second.role == "owner"
    with pytest.raises(services.TeamError, match="withdrawn or replaced by a newer one"):
        services.invitation_accept(token=first.token, user=None)
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_an_invitation_withdrawn_before_the_task_ran_is_not_emailed(
    organization: Organization, owner: User
) -> None:
    invitation = _invite(organization, owner)
    services.invitation_revoke(invitation=invitation, by=owner)
    assert services.invitation_email_send(invitation_id=invitation.pk) is False
    assert mail.outbox == []


def test_accepting_makes_a_member_with_the_invited_role_once(
    organization: Organization, owner: User
) -> None:
    invitation = _invite(organization, owner, role="owner")
    user = UserFactory(email=NEWCOMER)
    membership = services.invitation_accept(token=invitation.token, user=user)
    assert (membership.user, membership.organization, membership.role) == (
        user,
        organization,
        "owner",
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    with pytest.raises(services.TeamError, match="already been used") as refused:
        services.invitation_accept(token=invitation.token, user=user)
    assert refused.value.code == "used"


def test_accepting_for_an_address_with_an_account_requires_signing_in(
    organization: Organization, owner: User
) -> None:
    UserFactory(email=NEWCOMER)
    invitation = _invite(organization, owner)
    with pytest.raises(services.TeamError, match="sign in, then accept"):
        services.invitation_accept(token=invitation.token, user=None)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not organization.memberships.filter(user__email=NEWCOMER).exists()


def test_the_last_owner_cannot_be_removed_nor_leave(
    organization: Organization, owner: User
) -> None:
    mine = owner.memberships.get()
    with pytest.raises(services.TeamError, match="must keep at least one owner") as refused:
        services.membership_remove(membership=mine, by=owner)
    assert refused.value.code == "last_owner"
    assert Membership.objects.filter(pk=mine.pk).exists()

    second = MembershipFactory(organization=organization, role=Membership.Role.OWNER).user
    services.membership_remove(membership=mine, by=second)
    assert not Membership.objects.filter(pk=mine.pk).exists()
    with pytest.raises(services.TeamError, match="before you leave"):
        services.membership_remove(membership=second.memberships.get(), by=second)
    event = OrganizationEvent.objects.get()
    assert (event.verb, event.actor, event.email) == ("removed", second, owner.email)


def test_a_member_may_leave_but_not_remove_anyone_else(
    organization: Organization, owner: User, client_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=owner.memberships.get(), by=client_user)
    services.membership_remove(membership=client_user.memberships.get(), by=client_user)
    assert list(organization.members.all()) == [owner]
    assert OrganizationEvent.objects.get().verb == "left"


def test_get_or_create_finds_users_and_organisations_case_insensitively() -> None:
    user, created = user_get_or_create(email="Mixed@Case.example", name="Mixed")
    assert created
    assert user_get_or_create(email="mixed@case.EXAMPLE") == (user, False)
    org, created = organization_get_or_create(name="  Acme   Robotics ")
    assert (org.name, created) == ("Acme Robotics", True)
    assert organization_get_or_create(name="acme robotics") == (org, False)
