"""The rows the fuzz aims at, made through the services: the shipped tree and a second one
(whose version ids are forged into the first's forms), a client with an account, an owner's
open invitations, other prospects' responses (whose tokens are forged into resume links), and
the signed-in side (drills.fuzz.signed_in)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from cto.intake import proof
from cto.intake import services as intake_services
from cto.intake import tree as tree_module
from cto.intake.models import IntakeResponse, TreeVersion
from cto.intake.playbooks import tree_load_shipped
from cto.users import services as user_services
from cto.users.models import Invitation, Membership, Organization, User
from drills import scene
from drills.fuzz.signed_in import PASSWORD, SignedIn, build_signed_in

# The drills' path through the shipped tree to an outcome (the AI one).
AI_PATH = tuple(scene.ANSWERS)
OTHER_TREE = {
    "slug": "fuzz-other",
    "title": "Another tree",
    "start": "only",
    "nodes": [
        {
            "id": "only",
            "type": "yes_no",
            "prompt": "Yes or no?",
            "choices": [{"id": "yes", "label": "Yes", "next": "end"}, {"id": "no", "label": "No"}],
            "next": "end",
        },
        {
            "id": "end",
            "type": "outcome",
            "key": "generic",
            "engagement_kind": "generic",
            "title": "End",
            "summary": "The end.",
        },
    ],
}


@dataclass(frozen=True)
class World:
    version: TreeVersion
    tree: tree_module.Tree
    other_version: TreeVersion
    client: User  # has an account, a password and an organisation
    organization: Organization
    invitations: tuple[Invitation, ...]  # open: one for a new address, one for ``client``'s
    tokens: tuple[str, ...]  # other prospects' responses: in progress, finished, submitted
    signed_in: SignedIn  # an operator, a client with one of everything, a foreign client

    @property
    def emails(self) -> tuple[str, ...]:
        return (self.client.email, *(invitation.email for invitation in self.invitations))

    @property
    def nodes(self) -> tuple[str, ...]:
        return (*self.tree.questions, *self.tree.outcomes, *self.other_version.parsed().questions)

    @property
    def choice_ids(self) -> tuple[str, ...]:
        questions = self.tree.questions.values()
        return tuple(sorted({choice.id for question in questions for choice in question.choices}))

    def invitation_tokens(self) -> tuple[str, ...]:
        """Valid links, and forged ones: a real id with a made-up nonce, correctly signed
        (as if the key had leaked), and an id that does not exist."""
        forged = (
            signing.Signer(salt="cto.users.invitation", sep=".").sign_object([pk, "guessed"])
            for pk in (self.invitations[0].pk, 10**12)
        )
        return (*(invitation.token for invitation in self.invitations), *forged)

    def emailed_tokens(self) -> tuple[str, ...]:
        """The tokens of the links the app emails, which no page links to: invitations, and
        the result email's proof of address for the submitted response."""
        submitted = IntakeResponse.objects.get(token=self.tokens[-1])
        return (*self.invitation_tokens(), proof.proof_token(submitted.pk))


def answered_response(count: int) -> IntakeResponse:
    """A response with the first ``count`` answers of AI_PATH (all of them: at its outcome)."""
    response = intake_services.intake_start(tree_slug=scene.TREE_SLUG)
    for node, raw in AI_PATH[:count]:
        intake_services.intake_answer(
            response=response, node=node, raw=raw, tree_version_id=response.tree_version_id
        )
    response.refresh_from_db()
    return response


def build() -> World:
    tree_load_shipped(publish=True)  # already there in the drills' database: a no-op then
    version = TreeVersion.objects.current(scene.TREE_SLUG)
    assert version is not None, "the shipped tree did not load"  # noqa: S101  # setup, not input
    other, _ = intake_services.tree_version_create(definition=OTHER_TREE, by=None)
    other = intake_services.tree_version_publish(version=other, by=None)
    client, _ = user_services.user_get_or_create(email="pat@acme.example", password=PASSWORD)
    user_services.user_mark_email_verified(user=client)
    organization, _ = user_services.organization_get_or_create(name="Acme Robotics")
    user_services.membership_ensure(
        organization=organization, user=client, role=Membership.Role.OWNER
    )
    invitations = tuple(
        user_services.invitation_send(
            organization=organization, email=email, role=Membership.Role.MEMBER, by=client
        )
        for email in ("newcomer@acme.example", "pat@globex.example")
    )
    submitted = answered_response(len(AI_PATH))
    intake_services.intake_submit(
        response=submitted,
        contact=intake_services.Contact(
            name="Sam Roe", email="sam@globex.example", company="Globex", role="", consent=True
        ),
    )
    user_services.user_get_or_create(email="pat@globex.example")  # the invitee has an account
    tokens = (answered_response(2).token, answered_response(len(AI_PATH)).token, submitted.token)
    return World(
        version=version,
        tree=version.parsed(),
        other_version=other,
        client=client,
        organization=organization,
        invitations=invitations,
        tokens=tokens,
        signed_in=build_signed_in(),
    )
