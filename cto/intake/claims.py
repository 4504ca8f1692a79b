"""A lead's typed email is a claim, not an identity: the lead is linked to a person (made the
owner of its organisation, or moved into theirs) only when the owner of that address proves it,
by the link in the result email or by signing in with the address verified; or it is dismissed
by them, for good."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record
from cto.intake.lookalikes import plain_name
from cto.intake.models import IntakeResponse
from cto.intake.services import IntakeError
from cto.users.addresses import normalize_email
from cto.users.models import Membership, Organization, User
from cto.users.services import membership_ensure, user_get_or_create


def _member_organization_named(*, user: User, company: str) -> Organization | None:
    """An organisation ``user`` already belongs to whose name is ``company`` (compared as
    ``plain_name`` compares names), or None."""
    wanted = plain_name(company)
    for organization in Organization.objects.filter(memberships__user=user).order_by("pk"):
        if plain_name(organization.name) == wanted:
            return organization
    return None


@transaction.atomic
def intake_lead_prove(*, response: IntakeResponse, user: User) -> Engagement:
    """Record that ``user`` proved the lead's address, and link the lead where it belongs.

    A client who is already a member of an organisation of the company's name gets the lead
    moved into it (the lead's own organisation is removed when nothing else uses it); anyone
    else becomes the owner of the lead's own organisation. An operator becomes its contact and
    nothing more: operators see every lead already and own no client's organisation. The
    engagement's contact becomes ``user``; a timeline event says the address was proved.

    Idempotent: a proved lead returns its engagement unchanged. Refused (IntakeError) when the
    lead is not submitted or ``user``'s address is not the one the lead was sent for.
    """
    locked = IntakeResponse.objects.select_for_update(of=("self",)).get(pk=response.pk)
    if locked.status != IntakeResponse.Status.SUBMITTED or locked.engagement_id is None:
        raise IntakeError("These answers were not sent as a lead.", code="not_submitted")
    if normalize_email(user.email) != locked.contact_email:
        raise IntakeError("This lead was sent for another email address.", code="wrong_address")
    engagement = Engagement.objects.select_for_update().get(pk=locked.engagement_id)
    if locked.contact_proven_at is not None:
        return engagement
    placeholder = Organization.objects.select_for_update().get(pk=engagement.organization_id)
    home = None if user.is_staff else _member_organization_named(user=user, company=locked.company)
    if home is not None:
        engagement.organization = home
    elif not user.is_staff:
        membership_ensure(organization=placeholder, user=user, role=Membership.Role.OWNER)
    engagement.contact = user
    engagement.version += 1
    engagement.save(update_fields=["organization", "contact", "version", "updated_at"])
    if home is not None and not (
        placeholder.engagements.exists()
        or placeholder.memberships.exists()
        or placeholder.invitations.exists()
    ):
        placeholder.delete()
    now = timezone.now()
    locked.contact_proven_at, locked.contact_proven_by = now, user
    locked.save(update_fields=["contact_proven_at", "contact_proven_by", "updated_at"])
    activity_record(
        engagement=engagement,
        actor=user,
        verb=ActivityEvent.Verb.INTAKE_PROVEN,
        target=locked,
        data={
            "email": locked.contact_email,
            "organization": engagement.organization.name,
            "moved": home is not None,
        },
    )
    return engagement


def intake_lead_confirm(*, response: IntakeResponse) -> Engagement:
    """The owner of the typed address confirmed it through the link in the result email (only
    that mailbox has it): prove the lead as the user of that address."""
    user, _ = user_get_or_create(email=response.contact_email)
    return intake_lead_prove(response=response, user=user)


@transaction.atomic
def intake_lead_dismiss(*, response: IntakeResponse) -> IntakeResponse:
    """The owner of the typed address says the lead was not theirs (through the link in the
    result email): it stays unproven for good, signing in no longer links it, and the
    timeline says so. Idempotent; refused when the address was already proved."""
    locked = IntakeResponse.objects.select_for_update(of=("self",)).get(pk=response.pk)
    if locked.status != IntakeResponse.Status.SUBMITTED or locked.engagement_id is None:
        raise IntakeError("These answers were not sent as a lead.", code="not_submitted")
    if locked.contact_proven_at is not None:
        raise IntakeError(
            "This request was already confirmed from this address, so it cannot be dismissed "
            "here. Please reply to our email instead.",
            code="proven",
        )
    if locked.contact_dismissed_at is None:
        locked.contact_dismissed_at = timezone.now()
        locked.save(update_fields=["contact_dismissed_at", "updated_at"])
        activity_record(
            engagement=Engagement.objects.get(pk=locked.engagement_id),
            actor=None,
            verb=ActivityEvent.Verb.INTAKE_DISMISSED,
            target=locked,
            data={"email": locked.contact_email},
        )
    return locked


def intake_leads_prove_for(*, user: User) -> list[Engagement]:
    """Prove every unproven lead sent for ``user``'s address (not those its owner dismissed):
    called when ``user`` signs in with their address verified. Each lead in its own
    transaction, so one refused lead does not undo the others."""
    pending = IntakeResponse.objects.unproven().filter(
        contact_email=normalize_email(user.email),
        contact_dismissed_at=None,
        engagement__isnull=False,
    )
    return [intake_lead_prove(response=response, user=user) for response in pending]
