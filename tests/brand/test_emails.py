"""Every email, ours and allauth's, speaks as the practice: its name in the subject, its sign-off
with address and contact, and never allauth's "Hello from <host>!" or a host for a name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import engagement_transition, event_notify
from cto.engagements.stages import Stage
from cto.reports.services import report_ready_notify
from cto.users import services as user_services
from cto.users.models import Organization, User
from tests.brand.factories import brand_create
from tests.reports.conftest import rendered, request
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NAME = "Kestrel Technology Partners"
SIGN_OFF = (
    "-- \nKestrel Technology Partners · Fractional CTO for AI products\n"
    "Kestrel Technology Partners GmbH\nTorstrasse 140\n10119 Berlin\nGermany\n"
    "office@kestrel-partners.eu\n+49 30 1234 5678\nhttps://kestrel-partners.eu"
)
NEVER = ("127.0.0.1", "example.com", "Hello from", "-- cto", "testserver!")


@pytest.fixture(autouse=True)
def _brand(settings: Settings) -> None:
    settings.SITE_URL = "https://portal.kestrel-partners.eu"
    brand_create()


def assert_branded(message: mail.EmailMessage) -> None:
    assert message.subject.startswith(f"[{NAME}] "), message.subject
    assert SIGN_OFF in message.body, message.body
    for text in NEVER:
        assert text not in message.body, (text, message.body)
        assert text not in message.subject


OUR_BODIES = sorted(Path(settings.BASE_DIR, "templates").glob("*/email/*_body.txt"))


@pytest.mark.parametrize(
    "path", OUR_BODIES, ids=lambda path: f"{path.parent.parent.name}/{path.name}"
)
def test_each_of_our_emails_signs_off_as_the_practice(path: Path) -> None:
    name = f"{path.parent.parent.name}/email/{path.name}"
    body = render_to_string(name, {"site_url": settings.SITE_URL})
    subject = render_to_string(name.replace("_body.txt", "_subject.txt"), {})
    assert body.rstrip().endswith(SIGN_OFF), body
    assert subject.startswith(f"[{NAME}] ")


def test_an_invitation_is_sent_in_the_practice_s_name(organization: Organization) -> None:
    owner = MembershipFactory(organization=organization, role="owner").user
    invitation = user_services.invitation_send(
        organization=organization, email="new.person@acme.example", role="member", by=owner
    )
    user_services.invitation_email_send(invitation_id=invitation.pk)
    [message] = mail.outbox
    assert_branded(message)
    assert message.subject == f"[{NAME}] You are invited to join Acme Robotics with {NAME}"
    assert f"to join Acme Robotics with {NAME} as a member" in message.body


def test_a_stage_change_is_told_in_the_practice_s_name(
    engagement: Engagement, operator: User, client_user: User
) -> None:
    engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
    assert event_notify(event_id=event.pk) >= 1
    for message in mail.outbox:
        assert_branded(message)


def test_a_ready_report_is_told_in_the_practice_s_name(
    engagement: Engagement, operator: User
) -> None:
    report = request(engagement, "week_one", by=operator)
    rendered(report)
    assert report_ready_notify(report_id=report.pk)
    [message] = mail.outbox
    assert_branded(message)
    assert "https://portal.kestrel-partners.eu/portal/" in message.body


# --- allauth's -------------------------------------------------------------------------------


def test_a_sign_in_code_comes_from_the_practice(client: Client, client_user: User) -> None:
    client.post(reverse("account_request_login_code"), {"email": client_user.email})
    [message] = mail.outbox
    assert_branded(message)
    assert message.subject == f"[{NAME}] Your sign-in code"
    assert message.from_email == f"{NAME} <hello@localhost>"
    assert f"Here is your code to sign in to {NAME}" in message.body


def test_an_unknown_address_hears_from_the_practice(client: Client) -> None:
    client.post(reverse("account_request_login_code"), {"email": "nobody@acme.example"})
    [message] = mail.outbox
    assert_branded(message)
    assert f"sign in to {NAME} with this address (nobody@acme.example)" in message.body


def test_a_password_reset_comes_from_the_practice(client: Client, client_user: User) -> None:
    client.post(reverse("account_reset_password"), {"email": client_user.email})
    [message] = mail.outbox
    assert_branded(message)
    assert message.subject == f"[{NAME}] Reset your password"
    assert "/accounts/password/reset/key/" in message.body


def test_an_email_confirmation_comes_from_the_practice(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    client.post(reverse("account_email"), {"action_add": "", "email": "second@acme.example"})
    [message] = mail.outbox
    assert message.to == ["second@acme.example"]
    assert_branded(message)
    assert message.subject == f"[{NAME}] Confirm your email address"
    assert f"for your account with {NAME}" in message.body


def test_a_prefix_in_the_settings_replaces_the_practice_s_name_in_allauth_s_subjects(
    client: Client, client_user: User, settings: Settings
) -> None:
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portal] "
    client.post(reverse("account_request_login_code"), {"email": client_user.email})
    assert mail.outbox[0].subject == "[Portal] Your sign-in code"
