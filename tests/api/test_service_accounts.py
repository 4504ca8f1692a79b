"""Service accounts (cto/api/service_accounts.py and their page under /portal/service-accounts/):
an operator makes one for the practice or an organisation and gives it tokens; it acts only
through them, with the scoping of what it acts for, and never signs in or gets email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cto.api import service_accounts
from cto.api.models import ApiToken
from cto.api.services import TokenRefused, token_authenticate, token_create
from cto.checklists.selectors import owner_candidates
from cto.checklists.services import checklist_apply
from cto.engagements.models import Engagement
from cto.engagements.services import event_recipients
from cto.playbooks.loading import playbooks_load
from cto.users.models import Organization, User

pytestmark = pytest.mark.django_db

PAGE = reverse("tokens:service_accounts")
SECRET = re.compile(r"cto_[a-z0-9]{10}_[A-Za-z0-9]{32}")
HTMX = {"HX-Request": "true"}


def _account(organization: Organization | None, operator: User, name: str = "Acme CI") -> User:
    return service_accounts.service_account_create(
        name=name, organization=organization, by=operator
    )


def _bearer(account: User, scope: str = ApiToken.Scope.READ) -> dict[str, str]:
    secret = token_create(user=account, name="pipeline", scope=scope, by=account).secret
    return {"Authorization": f"Bearer {secret}"}


# --- The page ---------------------------------------------------------------------------------


def test_only_operators_reach_the_page(client: Client, client_user: User) -> None:
    assert client.get(PAGE).status_code == 302
    client.force_login(client_user)
    assert client.get(PAGE).status_code == 302  # to the operators' sign-in, as /ops/ pages
    client.post(PAGE, {"name": "Sneaky"})
    assert not User.objects.filter(is_service_account=True).exists()


def test_an_operator_makes_an_account_and_a_token_shown_once(
    client: Client, operator: User, organization: Organization
) -> None:
    client.force_login(operator)
    assert f'href="{PAGE}"' in client.get(reverse("ops:dashboard")).text
    made = client.post(PAGE, {"name": "  Acme   CI ", "organization": organization.pk})
    assert made.status_code == 303
    account = User.objects.get(is_service_account=True)
    assert (account.name, account.is_staff, account.has_usable_password()) == (
        "Acme CI",
        False,
        False,
    )
    assert account.email.endswith("@service-accounts.invalid")
    assert list(account.organizations.all()) == [organization]
    url = reverse("tokens:service_account_token_create", args=[account.pk])
    reply = client.post(url, {"name": "GitHub Actions", "scope": "read write", "days": "30"})
    assert reply.status_code == 201
    [secret] = SECRET.findall(reply.text)
    token = token_authenticate(secret=secret)
    assert (token.user, token.name, token.scope) == (account, "GitHub Actions", "read write")
    page = client.get(PAGE).text
    assert "GitHub Actions" in page
    assert secret not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "X", "organization": "999999"}, "Choose an organisation from the list."),
        ({"name": "X", "organization": "²"}, "Choose an organisation from the list."),
    ],
)
def test_bad_input_is_refused_with_a_message(
    client: Client, operator: User, data: dict[str, str], message: str
) -> None:
    client.force_login(operator)
    reply = client.post(PAGE, data, headers=HTMX)
    assert reply.status_code == 422
    assert message in reply.text
    assert not User.objects.filter(is_service_account=True).exists()


def test_a_token_for_a_person_is_not_made_here(
    client: Client, operator: User, client_user: User
) -> None:
    client.force_login(operator)
    url = reverse("tokens:service_account_token_create", args=[client_user.pk])
    assert client.post(url, {"name": "x", "scope": "read", "days": "30"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_revoking_and_deactivating_stop_the_tokens_at_once(
    client: Client, operator: User, organization: Organization
) -> None:
    account = _account(organization, operator)
    first = token_create(user=account, name="one", scope="read", by=operator)
    second = token_create(user=account, name="two", scope="read", by=operator)
    other = _account(None, operator, name="Practice runner")
    client.force_login(operator)
    foreign = reverse("tokens:service_account_token_revoke", args=[other.pk, first.token.pk])
    assert client.post(foreign).status_code == 404
    revoke = reverse("tokens:service_account_token_revoke", args=[account.pk, first.token.pk])
    assert client.post(revoke, headers=HTMX).status_code == 200
    with pytest.raises(TokenRefused, match="revoked"):
        token_authenticate(secret=first.secret)
    assert token_authenticate(secret=second.secret).user == account
    deactivate = reverse("tokens:service_account_deactivate", args=[account.pk])
    assert client.post(deactivate).status_code == 303
    with pytest.raises(TokenRefused, match="deactivated"):
        token_authenticate(secret=second.secret)
    assert "deactivated" in client.get(PAGE).text


# --- What it may do -----------------------------------------------------------------------------


def test_an_organisations_account_sees_what_a_member_sees(
    client: Client,
    operator: User,
    organization: Organization,
    engagement: Engagement,
    foreign_engagement: Engagement,
) -> None:
    headers = _bearer(_account(organization, operator))
    listed = client.get("/api/v1/engagements", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [engagement.pk]
    assert (
        client.get(f"/api/v1/engagements/{foreign_engagement.pk}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/intake-responses", headers=headers).status_code == 403


def test_the_practices_account_sees_what_an_operator_sees(
    client: Client, operator: User, engagement: Engagement, foreign_engagement: Engagement
) -> None:
    headers = _bearer(_account(None, operator, name="Practice eval runner"))
    listed = client.get("/api/v1/engagements", headers=headers).json()
    assert {item["id"] for item in listed["items"]} == {engagement.pk, foreign_engagement.pk}
    assert client.get("/api/v1/intake-responses", headers=headers).status_code == 200


def test_its_writes_are_on_the_timeline_by_its_name_via_the_token(
    client: Client, operator: User, organization: Organization, engagement: Engagement
) -> None:
    account = _account(organization, operator)
    playbooks_load(publish=True)
    checklist = checklist_apply(engagement=engagement, by=operator).checklist
    item = checklist.items.get(key="access_granted")
    headers = _bearer(account, scope=ApiToken.Scope.READ_WRITE)
    response = client.post(
        f"/api/v1/checklist-items/{item.pk}/evidence",
        {"url": "https://ci.example/runs/1"},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    event = engagement.events.latest("id")
    assert event.actor == account
    assert event.data["via"]["token"] == "pipeline"
    client.force_login(operator)
    assert "by Acme CI via pipeline" in client.get(engagement.get_absolute_url()).text


def test_it_is_emailed_nothing_and_owns_no_work(
    operator: User, organization: Organization, engagement: Engagement, client_user: User
) -> None:
    account = _account(organization, operator)
    practice = _account(None, operator, name="Practice runner")
    assert account.email not in event_recipients(engagement=engagement)
    assert client_user.email in event_recipients(engagement=engagement)
    playbooks_load(publish=True)
    checklist = checklist_apply(engagement=engagement, by=operator).checklist
    owners = set(owner_candidates(checklist=checklist))
    assert {client_user, operator} <= owners
    assert not owners & {account, practice}
    assert not any(account.email in message.to for message in mail.outbox)


def test_it_never_signs_in_even_with_a_password(
    client: Client, operator: User, organization: Organization
) -> None:
    account = _account(organization, operator)
    account.set_password("a long enough password 42")
    account.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=account, email=account.email, primary=True, verified=True)
    response = client.post(
        reverse("account_login"),
        {"login": account.email, "password": "a long enough password 42"},
    )
    assert response.status_code == 403
    assert client.get(reverse("engagements:portal_home")).status_code == 302


def test_only_operators_make_accounts(client_user: User, organization: Organization) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only the practice's operators"):
        _account(organization, client_user)
    assert not User.objects.filter(is_service_account=True).exists()
