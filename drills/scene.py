"""The rows the drills act on, made through the services (as a user of the app would)."""

from __future__ import annotations

import itertools
from typing import Any

from allauth.account.models import EmailAddress

from cto.intake import services as intake_services
from cto.intake.models import IntakeResponse
from cto.users.models import Membership, Organization, User

TREE_SLUG = "cto-fit"
# A path through the shipped tree that reaches an outcome (the AI one).
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("building", {"text": "Claims agent"}),
    ("ai_role", {"choices": ["core"]}),
    ("ai_actions", {"choices": ["decide"]}),
    ("agents", {"choices": ["yes"]}),
    ("retrieval", {"choices": ["no"]}),
    ("pains", {"choices": ["costs"]}),
]
_numbers = itertools.count(1)


def finished_response() -> IntakeResponse:
    """A new intake response that has reached an outcome and waits for the contact form."""
    response = intake_services.intake_start(tree_slug=TREE_SLUG)
    for node, raw in ANSWERS:
        intake_services.intake_answer(
            response=response, node=node, raw=raw, tree_version_id=response.tree_version_id
        )
    response.refresh_from_db()
    return response


def operator() -> User:
    return User.objects.create_user(
        email=f"operator{next(_numbers)}@practice.example", is_staff=True
    )


def client_member(organization: Organization) -> User:
    user = User.objects.create_user(email=f"member{next(_numbers)}@client.example")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.MEMBER)
    return user


def organization() -> Organization:
    return Organization.objects.create(name=f"Drill Client {next(_numbers)}")


def client_with_password(password: str) -> User:
    """A client who signs in with a password, their address verified (as after a first sign-in
    by code)."""
    user = User.objects.create_user(
        email=f"signer{next(_numbers)}@client.example", password=password
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
