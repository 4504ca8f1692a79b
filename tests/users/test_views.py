"""cto/users/views.py through the client: the emailed invitation link from the owner's form to
the invitee's first page, and the team page with its actions."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.users import services
from cto.users.models import Invitation, Membership, Organization, OrganizationEvent, User
from cto.users.views import INVITE_RATE
from tests.users.conftest import NEWCOMER, _expire, _invite, _link_in
from tests.users.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _code_in(message: mail.EmailMessage) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def _team_url(organization: Organization) -> str:
    return reverse("users:team", args=[organization.pk])


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
    # ... and said in the page's live region, out of band (the section itself is replaced).
    assert (
        f'<div id="announcer" hx-swap-oob="innerHTML">Invitation sent to {NEWCOMER}.</div>'
        in response.text
    )

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
    section = response.text.split('<div id="announcer"', 1)[0]  # the section, not what is said
    assert client_user.email not in section.split("</p>", 1)[1]


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
