"""cto/intake/services.py: a typed email is a claim, not an identity. A submission makes an
unproven lead of its own whoever the address belongs to; proving the address (the link in the
result email, or signing in by code) links it where it belongs, through intake_lead_prove."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cto.engagements.models import ActivityEvent, Engagement
from cto.intake import claims, services
from cto.intake.emails import intake_notify_submitted
from cto.intake.models import IntakeResponse
from cto.users.models import Membership, Organization, User
from tests.intake.test_services import finished_response
from tests.users.factories import MembershipFactory, OperatorFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def contact(email: str, company: str = "Acme Robotics") -> services.Contact:
    return services.Contact(
        name="Someone Else", email=email, company=company, role="", consent=True
    )


@pytest.fixture
def acme() -> Organization:
    return OrganizationFactory(name="Acme Robotics")


@pytest.fixture
def pat(acme: Organization) -> User:
    """A client: owner of Acme Robotics, signed in before (address verified)."""
    return MembershipFactory(
        organization=acme,
        role=Membership.Role.OWNER,
        user__email="pat@acme.example",
        user__name="Pat Lee",
    ).user


def submit(email: str, company: str = "Acme Robotics") -> IntakeResponse:
    response = finished_response()
    services.intake_submit(response=response, contact=contact(email, company))
    response.refresh_from_db()
    return response


def user_row(user: User) -> tuple[object, ...]:
    user.refresh_from_db()
    return (
        user.email,
        user.name,
        user.password,
        user.is_staff,
        user.is_superuser,
        user.is_active,
        user.last_login,
    )


# --- A submission claims nothing -------------------------------------------------------------


def test_a_clients_email_in_another_case_and_their_company_make_a_lead_of_its_own(
    acme: Organization, pat: User
) -> None:
    before = user_row(pat)
    response = submit("PAT@Acme.EXAMPLE", company="acme robotics")
    engagement = response.engagement
    assert engagement is not None
    assert engagement.organization != acme
    assert engagement.organization.name == "acme robotics (acme.example)"
    assert not engagement.organization.memberships.exists()
    assert engagement.contact is None
    assert not acme.engagements.exists()
    assert list(Engagement.objects.for_user(pat)) == []  # not in the client's portal
    assert list(acme.members.all()) == [pat]
    assert user_row(pat) == before  # the client's row is untouched
    assert response.contact_email == "pat@acme.example"
    assert response.unproven_lead


def test_an_operators_email_makes_them_owner_of_nothing() -> None:
    operator = OperatorFactory(email="ops@practice.example")
    before = user_row(operator)
    response = submit("Ops@Practice.example", company="Practice")
    assert not Membership.objects.filter(user=operator).exists()
    assert response.engagement is not None
    assert response.engagement.contact is None
    assert user_row(operator) == before
    assert response.unproven_lead


def test_a_confusable_company_and_domain_are_flagged_at_submission(pat: User) -> None:
    OrganizationFactory(name="Acme")
    response = submit("pat@acrne.example", company="\u0391cme")  # Greek capital Alpha; rn for m
    assert {(found["kind"], found["existing"]) for found in response.lookalikes} == {
        ("company", "Acme"),
        ("domain", "acme.example"),
    }


def test_the_same_name_and_domain_are_not_look_alikes(pat: User) -> None:
    OrganizationFactory(name="Acme")
    assert submit("sam@acme.example", company="ACME").lookalikes == []


# --- Proving links the lead ------------------------------------------------------------------


def test_proof_by_a_member_moves_the_lead_into_their_organisation(
    acme: Organization, pat: User
) -> None:
    response = submit("pat@acme.example", company="ACME  robotics")
    placeholder = response.engagement.organization
    engagement = claims.intake_lead_prove(response=response, user=pat)
    assert engagement.organization == acme
    assert engagement.contact == pat
    assert not Organization.objects.filter(pk=placeholder.pk).exists()
    assert list(Engagement.objects.for_user(pat)) == [engagement]
    response.refresh_from_db()
    assert (response.contact_proven_by, response.unproven_lead) == (pat, False)
    event = engagement.events.get(verb=ActivityEvent.Verb.INTAKE_PROVEN)
    assert (event.actor, event.summary) == (pat, "Contact proved their address")
    assert claims.intake_lead_prove(response=response, user=pat) == engagement  # idempotent
    assert engagement.events.filter(verb=ActivityEvent.Verb.INTAKE_PROVEN).count() == 1


def test_proof_by_a_newcomer_makes_them_owner_of_the_leads_organisation() -> None:
    response = submit("new@startup.example", company="Startup")
    user = User.objects.get(email="new@startup.example")
    engagement = claims.intake_lead_prove(response=response, user=user)
    assert engagement.organization.name == "Startup"
    assert Membership.objects.get(user=user).organization == engagement.organization
    assert Membership.objects.get(user=user).role == Membership.Role.OWNER


def test_proof_by_an_operator_makes_them_the_contact_and_nothing_more() -> None:
    operator = OperatorFactory(email="ops@practice.example")
    response = submit("ops@practice.example", company="Practice")
    engagement = claims.intake_lead_prove(response=response, user=operator)
    assert engagement.contact == operator
    assert not Membership.objects.filter(user=operator).exists()


def test_proof_by_someone_else_is_refused(pat: User) -> None:
    response = submit("sam@acme.example")
    with pytest.raises(services.IntakeError, match="another email address"):
        claims.intake_lead_prove(response=response, user=pat)
    response.refresh_from_db()
    assert response.unproven_lead


# --- Through the emailed link ----------------------------------------------------------------


def _link(email: str) -> str:
    body = next(message.body for message in mail.outbox if message.to == [email])
    match = re.search(r"https?://[^/\s]+(/intake/confirm/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_the_result_email_says_it_was_sent_in_their_name_and_links_the_proof(pat: User) -> None:
    response = submit("pat@acme.example")
    intake_notify_submitted(response_id=response.pk)
    body = next(message.body for message in mail.outbox if message.to == ["pat@acme.example"])
    assert "gave this address (pat@acme.example)" in body
    assert "If it was not you, you can ignore this email" in body
    assert "/intake/confirm/" in body


def test_opening_the_link_proves_nothing_until_confirmed_by_post(
    client: Client, acme: Organization, pat: User
) -> None:
    response = submit("pat@acme.example")
    intake_notify_submitted(response_id=response.pk)
    link = _link("pat@acme.example")
    page = client.get(link)  # what a mail scanner does
    assert page.status_code == 200
    assert "Was this you?" in page.text
    response.refresh_from_db()
    assert response.unproven_lead

    reply = client.post(link, {"action": "confirm"})
    assert reply.status_code == 303
    assert reply["Location"] == reverse("account_request_login_code")
    response.refresh_from_db()
    assert response.contact_proven_by == pat
    assert response.engagement.organization == acme
    assert "_auth_user_id" not in client.session  # the link proves; it does not sign in


def test_the_link_confirmed_while_signed_in_as_that_person_opens_the_portal(
    client: Client, pat: User
) -> None:
    response = submit("pat@acme.example")
    intake_notify_submitted(response_id=response.pk)
    client.force_login(pat)
    reply = client.post(_link("pat@acme.example"), {"action": "confirm"})
    assert reply["Location"] == reverse("engagements:portal_home")


def test_this_was_not_me_dismisses_the_lead_and_a_later_sign_in_does_not_link_it(
    client: Client, pat: User
) -> None:
    response = submit("pat@acme.example")
    intake_notify_submitted(response_id=response.pk)
    reply = client.post(_link("pat@acme.example"), {"action": "dismiss"})
    assert reply.status_code == 200
    assert "did not send this request" in reply.text
    response.refresh_from_db()
    assert response.contact_dismissed_at is not None
    assert response.engagement.events.filter(verb=ActivityEvent.Verb.INTAKE_DISMISSED).exists()
    sign_in_by_code(Client(), "pat@acme.example")
    response.refresh_from_db()
    assert response.unproven_lead
    assert list(Engagement.objects.for_user(pat)) == []


@pytest.mark.parametrize("token", ["nonsense", "1.abc.def", "1" * 300])
def test_a_forged_link_is_refused_clearly(client: Client, token: str) -> None:
    page = client.get(reverse("intake:confirm", kwargs={"token": token}))
    assert page.status_code == 404
    assert "not valid" in page.text


def test_a_missing_choice_is_a_message(client: Client, pat: User) -> None:
    response = submit("pat@acme.example")
    intake_notify_submitted(response_id=response.pk)
    reply = client.post(_link("pat@acme.example"), {"action": "maybe"})
    assert reply.status_code == 422
    assert "choose one of the two buttons" in reply.text


# --- By signing in with the emailed code -----------------------------------------------------


def sign_in_by_code(client: Client, email: str) -> None:
    mail.outbox.clear()
    client.post(reverse("account_request_login_code"), {"email": email})
    # The code goes to the address as stored: typed in any case, it is the same address.
    assert [message.to for message in mail.outbox] == [[email.lower()]], "no code was sent"
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.MULTILINE)
    assert match, mail.outbox[0].body
    reply = client.post(reverse("account_confirm_login_code"), {"code": match.group(1)})
    assert reply.status_code == 302, reply


def test_signing_in_by_code_proves_the_address_and_files_the_lead_with_the_client(
    client: Client, acme: Organization, pat: User
) -> None:
    response = submit("Pat@ACME.example")
    sign_in_by_code(client, "PAT@acme.example")
    response.refresh_from_db()
    assert response.contact_proven_by == pat
    assert response.engagement.organization == acme
    portal = client.get(reverse("engagements:portal_home"))
    assert response.engagement.title in portal.text


def test_a_new_address_can_sign_in_by_code_and_so_owns_its_lead(client: Client) -> None:
    response = submit("new@startup.example", company="Startup")
    sign_in_by_code(client, "new@startup.example")
    response.refresh_from_db()
    user = User.objects.get(email="new@startup.example")
    assert response.contact_proven_by == user
    assert Membership.objects.get(user=user).organization == response.engagement.organization


# --- What operators see ----------------------------------------------------------------------


def test_operators_see_unproven_leads_and_look_alikes_on_the_dashboard_and_engagement_page(
    client: Client, pat: User
) -> None:
    OrganizationFactory(name="Acme")
    response = submit("sam@acrne.example", company="\u0391cme")
    client.force_login(OperatorFactory())
    for page in (reverse("ops:dashboard"), response.engagement.get_absolute_url()):
        text = client.get(page).text
        assert "Unproven contact" in text
        assert "Look-alike company: “\u0391cme” looks like “Acme”" in text
        assert "Look-alike domain: “acrne.example” looks like “acme.example”" in text


def test_a_proved_lead_is_no_longer_marked_and_its_client_sees_no_marks(
    client: Client, pat: User
) -> None:
    response = submit("pat@acme.example")
    engagement = claims.intake_lead_prove(response=response, user=pat)
    client.force_login(OperatorFactory())
    assert "Unproven contact" not in client.get(reverse("ops:dashboard")).text
    client.force_login(pat)
    page = client.get(engagement.get_absolute_url())
    assert page.status_code == 200
    assert "Unproven" not in page.text


def test_the_admin_filters_responses_by_proof(client: Client, pat: User) -> None:
    unproven = submit("sam@acme.example", company="Sam Co")
    proven = submit("pat@acme.example")
    claims.intake_lead_prove(response=proven, user=pat)
    client.force_login(OperatorFactory())
    url = reverse("admin:intake_intakeresponse_changelist")
    listed = client.get(url, {"proof": "unproven"})
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [unproven]
    assert list(client.get(url, {"proof": "proven"}).context["cl"].result_list) == [proven]


def test_an_address_in_another_unicode_form_is_the_same_address(pat: User) -> None:
    users_before = User.objects.count()
    response = submit("PAT@\uff41\uff43\uff4d\uff45.example")  # full-width "acme"
    assert response.contact_email == "pat@acme.example"
    assert User.objects.count() == users_before  # pat's row, not a new one
    assert claims.intake_lead_prove(response=response, user=pat).contact == pat
