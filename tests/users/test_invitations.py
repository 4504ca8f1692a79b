"""Team invitations and removals: the services against PostgreSQL, the pages through the
client, and the emailed link from the owner's form to the invitee's first page."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.engagements.models import Engagement
from cto.users import services
from cto.users.models import Invitation, Membership, Organization, OrganizationEvent, User
from cto.users.views import INVITE_RATE
from tests.celery_worker import celery_worker, wait_for
from tests.users.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEWCOMER = "new.person@acme.example"


@pytest.fixture
def owner(organization: Organization) -> User:
    return MembershipFactory(organization=organization, role=Membership.Role.OWNER).user


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite(
    organization: Organization, owner: User, email: str = NEWCOMER, role: str = "member"
) -> Invitation:
    return services.invitation_send(organization=organization, email=email, role=role, by=owner)


def _link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/portal/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _code_in(message: mail.EmailMessage) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def _team_url(organization: Organization) -> str:
    return reverse("users:team", args=[organization.pk])


def _expire(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )


# --- Services -------------------------------------------------------------------------------


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
    assert message.subject == "You are invited to join Acme Robotics on cto"
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


def test_the_database_keeps_one_open_invitation_per_address(organization: Organization) -> None:
    InvitationFactory(organization=organization, email=NEWCOMER)
    InvitationFactory(organization=organization, email=NEWCOMER, revoked_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organization=organization, email=NEWCOMER)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organization=organization, email="Mixed@Case.example")


def test_a_forged_or_mangled_token_names_no_invitation(organization: Organization) -> None:
    invitation = InvitationFactory(organization=organization)
    assert Invitation.objects.from_token(invitation.token) == invitation
    payload, signature = invitation.token.rsplit(".", 1)
    assert Invitation.objects.from_token(f"{payload}.{signature[::-1]}") is None
    assert Invitation.objects.from_token(invitation.token[:-1]) is None
    assert Invitation.objects.from_token("not-a-token") is None
    other = InvitationFactory(organization=organization)
    Invitation.objects.filter(pk=other.pk).update(nonce="changed")  # signed, but not this row's
    assert Invitation.objects.from_token(other.token) is None


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


# --- The emailed link -----------------------------------------------------------------------


def test_an_invitee_without_an_account_follows_the_link_and_sees_the_engagement(
    organization: Organization,
    owner: User,
    engagement: Engagement,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = _signed_in(owner).post(
            reverse("users:invite", args=[organization.pk]),
            {"email": NEWCOMER, "role": "member"},
        )
    assert response.status_code == 303
    assert len(callbacks) == 1
    services.invitation_email_send(invitation_id=Invitation.objects.get().pk)
    link = _link_in(mail.outbox[0])

    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200
    assert "Join Acme Robotics as new.person@acme.example" in page.text
    assert not User.objects.filter(email=NEWCOMER).exists()  # GET writes nothing

    response = visitor.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:portal_home")
    newcomer = User.objects.get(email=NEWCOMER)
    assert not newcomer.has_usable_password()
    assert EmailAddress.objects.filter(
        user=newcomer, email=NEWCOMER, verified=True, primary=True
    ).exists()
    assert newcomer.memberships.get().organization == organization
    portal = visitor.get(reverse("engagements:portal_home"))
    assert portal.context["user"] == newcomer
    assert engagement.title in portal.text
    assert visitor.get(engagement.get_absolute_url()).status_code == 200
    assert OrganizationEvent.objects.filter(verb="joined", actor=newcomer).exists()


def test_an_invitee_with_an_account_signs_in_by_code_and_comes_back_to_accept(
    organization: Organization, owner: User, engagement: Engagement
) -> None:
    existing = UserFactory(email=NEWCOMER)
    link = _invite(organization, owner).get_absolute_url()
    visitor = Client()
    assert "Sign in to join" in visitor.get(link).text

    response = visitor.post(link)
    assert response.status_code == 303
    sign_in = response["Location"]
    assert sign_in.startswith(reverse("account_request_login_code"))
    assert not organization.memberships.filter(user=existing).exists()

    response = visitor.post(sign_in, {"email": NEWCOMER})
    assert response.status_code == 302
    response = visitor.post(response["Location"], {"code": _code_in(mail.outbox[-1])})
    assert response.status_code == 302
    assert response["Location"] == link  # back to the invitation, signed in

    response = visitor.post(link)
    assert response.status_code == 303
    assert response["Location"] == reverse("engagements:portal_home")
    assert organization.memberships.get(user=existing).role == "member"
    assert visitor.get(engagement.get_absolute_url()).status_code == 200


def test_a_signed_in_invitee_accepts_in_one_step(organization: Organization, owner: User) -> None:
    invitee = UserFactory(email=NEWCOMER)
    link = _invite(organization, owner, role="owner").get_absolute_url()
    client = _signed_in(invitee)
    assert client.post(link).status_code == 303
    assert organization.memberships.get(user=invitee).role == "owner"
    again = client.get(link)  # the used link brings its own member home
    assert again.status_code == 303
    assert again["Location"] == reverse("engagements:portal_home")


@pytest.mark.parametrize(
    ("spoil", "status", "message"),
    [
        (_expire, 410, "This invitation expired on"),
        (
            lambda invitation: services.invitation_revoke(
                invitation=invitation, by=invitation.invited_by
            ),
            410,
            "This invitation was withdrawn or replaced by a newer one",
        ),
        (
            lambda invitation: services.invitation_accept(
                token=invitation.token, user=UserFactory(email=invitation.email)
            ),
            410,
            "This invitation has already been used",
        ),
    ],
    ids=["expired", "revoked", "used"],
)
def test_a_link_that_no_longer_works_says_why_and_writes_nothing(
    organization: Organization, owner: User, spoil, status: int, message: str
) -> None:
    invitation = _invite(organization, owner)
    spoil(invitation)
    before = (User.objects.count(), Membership.objects.count(), OrganizationEvent.objects.count())
    visitor = Client()
    for response in (
        visitor.get(invitation.get_absolute_url()),
        visitor.post(invitation.get_absolute_url()),
    ):
        assert response.status_code == status
        assert message in response.text
        assert "Join Acme Robotics</button>" not in response.text
    after = (User.objects.count(), Membership.objects.count(), OrganizationEvent.objects.count())
    assert after == before
    assert visitor.get(reverse("engagements:portal_home")).status_code == 302  # not signed in


def test_a_link_opened_by_someone_signed_in_with_another_address_is_refused(
    organization: Organization, owner: User, client_user: User
) -> None:
    invitation = _invite(organization, owner)
    client = _signed_in(UserFactory(email="someone.else@elsewhere.example"))
    for response in (
        client.get(invitation.get_absolute_url()),
        client.post(invitation.get_absolute_url()),
    ):
        assert response.status_code == 403
        assert (
            f"This invitation is for {NEWCOMER}, but you are signed in as "
            "someone.else@elsewhere.example. Sign out, then open the link again."
        ) in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert organization.memberships.count() == 2  # the owner and client_user


def test_a_forged_link_answers_404(organization: Organization, owner: User) -> None:
    invitation = _invite(organization, owner)
    url = reverse("users:invitation", args=[invitation.token[:-2] + "xx"])
    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 404
    assert not User.objects.filter(email=NEWCOMER).exists()


# --- The team page --------------------------------------------------------------------------


def test_members_see_the_team_and_owners_also_see_the_controls(
    organization: Organization, owner: User, client_user: User
) -> None:
    _invite(organization, owner)
    as_owner = _signed_in(owner).get(_team_url(organization))
    as_member = _signed_in(client_user).get(_team_url(organization))
    for response in (as_owner, as_member):
        assert response.status_code == 200
        assert owner.email in response.text
        assert client_user.email in response.text
        assert NEWCOMER in response.text
    assert "Send the invitation" in as_owner.text
    assert "Withdraw" in as_owner.text
    assert "Send the invitation" not in as_member.text
    assert "Withdraw" not in as_member.text
    assert f'Remove<span class="visually-hidden"> {owner.email}' not in as_member.text
    assert "Leave" in as_member.text  # their own membership only


def test_an_outsider_gets_404_for_the_team_page_and_its_actions(
    organization: Organization, owner: User, other_organization: Organization
) -> None:
    outsider = _signed_in(MembershipFactory(organization=other_organization).user)
    invitation = _invite(organization, owner)
    assert outsider.get(_team_url(organization)).status_code == 404
    assert (
        outsider.post(
            reverse("users:invite", args=[organization.pk]),
            {"email": "x@y.example", "role": "member"},
        ).status_code
        == 404
    )
    assert (
        outsider.post(reverse("users:invitation_revoke", args=[invitation.pk])).status_code == 404
    )
    membership = owner.memberships.get()
    assert (
        outsider.post(reverse("users:membership_remove", args=[membership.pk])).status_code == 404
    )
    assert Invitation.objects.open().count() == 1
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_who_is_not_an_owner_gets_403_on_every_change(
    organization: Organization, owner: User, client_user: User
) -> None:
    member = _signed_in(client_user)
    invitation = _invite(organization, owner)
    responses = [
        member.post(
            reverse("users:invite", args=[organization.pk]),
            {"email": "x@y.example", "role": "member"},
        ),
        member.post(reverse("users:invitation_revoke", args=[invitation.pk])),
        member.post(reverse("users:membership_remove", args=[owner.memberships.get().pk])),
    ]
    assert [response.status_code for response in responses] == [403, 403, 403]
    assert list(Invitation.objects.open()) == [invitation]
    assert organization.memberships.count() == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not an address", "Enter a valid email address."),
        ("", "This field is required."),
    ],
)
def test_bad_input_shows_the_form_again_with_a_message_and_writes_nothing(
    organization: Organization, owner: User, email: str, message: str
) -> None:
    response = _signed_in(owner).post(
        reverse("users:invite", args=[organization.pk]), {"email": email, "role": "member"}
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'name="email"' in response.text
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_shows_the_form_with_a_message(
    organization: Organization, owner: User, client_user: User
) -> None:
    response = _signed_in(owner).post(
        reverse("users:invite", args=[organization.pk]),
        {"email": client_user.email, "role": "member"},
    )
    assert response.status_code == 422
    assert f"{client_user.email} is already a member of Acme Robotics." in response.text
    assert not Invitation.objects.exists()


def test_htmx_changes_answer_with_the_team_section_only(
    organization: Organization, owner: User, client_user: User
) -> None:
    client = _signed_in(owner)
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(
        reverse("users:invite", args=[organization.pk]),
        {"email": NEWCOMER, "role": "member"},
        **htmx,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="team"')
    assert f"Invitation sent to {NEWCOMER}." in response.text
    assert NEWCOMER in response.text

    response = client.post(
        reverse("users:membership_remove", args=[owner.memberships.get().pk]), **htmx
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="team"')
    assert "must keep at least one owner" in response.text

    response = client.post(
        reverse("users:membership_remove", args=[client_user.memberships.get().pk]), **htmx
    )
    assert response.status_code == 200
    assert f"{client_user.email} was removed from Acme Robotics." in response.text
    assert client_user.email not in response.text.split("</p>", 1)[1]


def test_the_last_owner_cannot_be_removed_from_the_page(
    organization: Organization, owner: User
) -> None:
    mine = owner.memberships.get()
    response = _signed_in(owner).post(reverse("users:membership_remove", args=[mine.pk]))
    assert response.status_code == 422
    assert "Acme Robotics must keep at least one owner" in response.text
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_a_removed_member_loses_access_on_the_next_request(
    organization: Organization, owner: User, client_user: User, engagement: Engagement
) -> None:
    member = _signed_in(client_user)
    assert member.get(engagement.get_absolute_url()).status_code == 200
    response = _signed_in(owner).post(
        reverse("users:membership_remove", args=[client_user.memberships.get().pk])
    )
    assert response.status_code == 303
    assert response["Location"] == _team_url(organization)
    assert member.get(engagement.get_absolute_url()).status_code == 404
    assert member.get(_team_url(organization)).status_code == 404
    assert engagement.title not in member.get(reverse("engagements:portal_home")).text


def test_a_member_leaves_and_lands_on_the_portal(
    organization: Organization, owner: User, client_user: User
) -> None:
    member = _signed_in(client_user)
    response = member.post(
        reverse("users:membership_remove", args=[client_user.memberships.get().pk])
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("engagements:portal_home")
    assert not organization.memberships.filter(user=client_user).exists()


def test_an_owner_withdraws_an_invitation_from_the_page(
    organization: Organization, owner: User
) -> None:
    invitation = _invite(organization, owner)
    client = _signed_in(owner)
    response = client.post(reverse("users:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 303
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    again = client.post(reverse("users:invitation_revoke", args=[invitation.pk]))
    assert again.status_code == 422
    assert f"The invitation of {NEWCOMER} was already withdrawn." in again.text


def test_an_expired_invitation_is_shown_as_such_and_sent_again_from_the_page(
    organization: Organization, owner: User
) -> None:
    invitation = _invite(organization, owner, role="owner")
    _expire(invitation)
    client = _signed_in(owner)
    page = client.get(_team_url(organization))
    assert '<span class="badge badge-lost">expired</span>' in page.text
    response = client.post(
        reverse("users:invite", args=[organization.pk]), {"email": NEWCOMER, "role": "owner"}
    )
    assert response.status_code == 303
    fresh = Invitation.objects.pending().get()
    assert (fresh.email, fresh.role) == (NEWCOMER, "owner")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert "expired</span>" not in client.get(_team_url(organization)).text


def test_invitations_are_rate_limited_per_person(organization: Organization, owner: User) -> None:
    client = _signed_in(owner)
    url = reverse("users:invite", args=[organization.pk])
    allowed = int(INVITE_RATE.split("/")[0])
    statuses = [
        client.post(url, {"email": f"p{n}@acme.example", "role": "member"}).status_code
        for n in range(allowed + 1)
    ]
    assert statuses == [303] * allowed + [429]
    assert Invitation.objects.count() == allowed
    # Another owner of the same organisation has a budget of their own.
    other = MembershipFactory(organization=organization, role=Membership.Role.OWNER).user
    response = _signed_in(other).post(url, {"email": "late@acme.example", "role": "member"})
    assert response.status_code == 303


def test_the_team_page_reads_in_a_fixed_number_of_queries(
    organization: Organization, owner: User, django_assert_num_queries
) -> None:
    client = _signed_in(owner)
    client.get(_team_url(organization))  # the session is in the cache from here on

    def grow() -> None:
        for _ in range(3):
            MembershipFactory(organization=organization)
            InvitationFactory(organization=organization, invited_by=owner)

    grow()
    # The user, the organisation, its members with their users, its open invitations with
    # who sent them.
    with django_assert_num_queries(4):
        assert client.get(_team_url(organization)).status_code == 200
    grow()
    with django_assert_num_queries(4):
        response = client.get(_team_url(organization))
    assert len(response.context["team"].memberships) == 7
    assert len(response.context["team"].invitations) == 6


# --- Through a real worker ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_invitation_is_emailed_by_a_worker_through_redis(tmp_path: Path) -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "This test needs the Redis broker that `make test` sets up (CELERY_BROKER_URL)."
    )
    outbox = tmp_path / "mail"
    outbox.mkdir()
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    organization = owner.organizations.get()

    with celery_worker(log_dir=tmp_path, env={"EMAIL_URL": f"filemail://{outbox}"}) as log:
        invitation = _invite(organization, owner)
        sent = wait_for(
            lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
        )
        assert sent, log.read_text()

    mails = "\n".join(path.read_text() for path in outbox.iterdir())
    assert f"To: {NEWCOMER}" in mails
    assert invitation.get_absolute_url() in mails
    assert "send_invitation" in log.read_text()
