"""Writes to users, organisations, memberships and invitations."""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from cto.core.queue import missed_window, publish_each, publish_on_commit
from cto.users import selectors
from cto.users.addresses import normalize_email
from cto.users.models import Invitation, Membership, Organization, OrganizationEvent, User

logger = logging.getLogger(__name__)


class TeamError(ValidationError):
    """A change to a team that the rules refuse; the message says why and what to do. Its
    ``code`` names the case: invalid, expired, revoked, used, wrong_email, account_exists,
    already_member, last_owner, gone."""


def user_get_or_create(
    *, email: str, name: str = "", password: str | None = None, is_staff: bool = False
) -> tuple[User, bool]:
    """Find the user by email (as ``normalize_email`` compares addresses) or create one;
    without a password the user signs in by an emailed code. An existing user is returned
    unchanged: ``name`` and the flags apply only to a new one."""
    email = normalize_email(email)
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing, False
    user = User.objects.create_user(email=email, password=password, name=name, is_staff=is_staff)
    # allauth knows an address only through its EmailAddress row: without one, the first
    # sign-in code would not count as proof of the address and a second code would be asked for.
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user, True


def user_mark_email_verified(*, user: User) -> None:
    """Record the user's address as verified and primary, so a password login is not held
    back for verification (used for people whose address we already know is theirs)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def organization_get_or_create(*, name: str, website: str = "") -> tuple[Organization, bool]:
    """Find the organisation by name (case-insensitively) or create it."""
    name = " ".join(name.split())
    existing = Organization.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing, False
    return Organization.objects.create(name=name, website=website), True


def membership_ensure(
    *, organization: Organization, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make ``user`` a member of ``organization`` with ``role`` (idempotent)."""
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership


# --- Teams: invitations and memberships ---------------------------------------------------
# Every write below locks the organisation's row first, then the rows it changes: two owners
# acting at once are serialised, and "at least one owner" is judged on what the other left.


def _lock(organization_id: int) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization_id)


def _require_owner(*, organization: Organization, user: User, action: str) -> None:
    if not selectors.is_owner(organization=organization, user=user):
        raise PermissionDenied(f"Only an owner of {organization} can {action}.")


def _record(
    *,
    organization: Organization,
    actor: User | None,
    verb: OrganizationEvent.Verb,
    email: str,
    **data: Any,
) -> None:
    OrganizationEvent.objects.create(
        organization=organization, actor=actor, verb=verb, email=email, data=data
    )
    logger.info(
        "team %s: %s %s in organization %s (%s)",
        verb.value,
        actor.email if actor else "system",
        email,
        organization.pk,
        data,
    )


@transaction.atomic
def invitation_send(*, organization: Organization, email: str, role: str, by: User) -> Invitation:
    """Invite ``email`` to ``organization`` with ``role`` and email the link after commit.

    Only an owner may invite; an address that is already a member is refused. An open
    invitation to the same address is replaced: it is withdrawn, so its link stops working.
    Raises ``PermissionDenied`` or ``TeamError`` and writes nothing when refused."""
    organization = _lock(organization.pk)
    _require_owner(organization=organization, user=by, action="invite people")
    email = normalize_email(email or "")
    try:
        validate_email(email)
    except ValidationError as error:
        raise TeamError({"email": "Enter a valid email address, like pat@example.com."}) from error
    if role not in Membership.Role.values:
        raise TeamError({"role": "Choose whether they join as an owner or a member."})
    if organization.memberships.filter(user__email=email).exists():
        raise TeamError(
            {
                "email": ValidationError(
                    f"{email} is already a member of {organization}.", code="already_member"
                )
            }
        )
    now = timezone.now()
    replaced = list(
        Invitation.objects.select_for_update()
        .open()
        .filter(organization=organization, email=email)
        .values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=replaced).update(revoked_at=now, revoked_by=by, updated_at=now)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        invited_by=by,
        nonce=secrets.token_urlsafe(24),
    )
    invitation.full_clean()
    invitation.save()
    _record(
        organization=organization,
        actor=by,
        verb=OrganizationEvent.Verb.INVITED,
        email=email,
        role=role,
        invitation=invitation.pk,
        replaced=replaced,
    )
    invitation_email_later(invitation)
    return invitation


def invitation_email_later(invitation: Invitation) -> None:
    """Email the invitation's link once the transaction commits."""
    # Imported here: the task module imports this one (tasks call services).
    from cto.users.tasks import send_invitation

    publish_on_commit(
        send_invitation,
        (invitation.pk,),
        lost="The invitation is saved but not emailed: an owner can send it again.",
    )


def invitation_email_send(*, invitation_id: int) -> bool:
    """Email the link of a pending invitation to its address, once.

    Safe to run twice: the row is locked and stamped in the same transaction as the send, so
    a redelivered task sends nothing; an invitation replaced, withdrawn or expired before the
    task ran is not sent. The token is rebuilt from the row: none travels through the broker.
    Returns whether a message went out."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.pending()
            .select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id, sent_at=None)
            .first()
        )
        if invitation is None:
            return False
        context = {"invitation": invitation, "site_url": settings.SITE_URL}
        subject = render_to_string("users/email/invitation_subject.txt", context)
        body = render_to_string("users/email/invitation_body.txt", context)
        send_mail(" ".join(subject.split()), body, None, [invitation.email])
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at", "updated_at"])
    return True


def invitation_emails_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the invitation emails whose message was lost (the broker was away): pending
    invitations never sent, within the missed window."""
    from cto.users.tasks import send_invitation  # tasks import this module

    since, before = missed_window(now)
    missed = (
        Invitation.objects.pending()
        .filter(sent_at=None, created_at__gte=since, created_at__lt=before)
        .values_list("pk", flat=True)
    )
    return publish_each(send_invitation, missed, lost="The next sweep tries again.")


def invitation_check(*, invitation: Invitation, user: User | None) -> None:
    """Raise ``TeamError`` saying why ``user`` (``None``: a visitor not signed in) cannot
    accept ``invitation``; return if they can. Writes nothing."""
    organization = invitation.organization
    if invitation.accepted_at is not None:
        raise TeamError(
            "This invitation has already been used. Sign in to reach "
            f"{organization}, or ask one of its owners for a new invitation.",
            code="used",
        )
    if invitation.revoked_at is not None:
        raise TeamError(
            "This invitation was withdrawn or replaced by a newer one. Use the latest "
            f"invitation you received, or ask an owner of {organization} to invite you again.",
            code="revoked",
        )
    if invitation.expires_at <= timezone.now():
        raise TeamError(
            f"This invitation expired on {date_format(invitation.expires_at, 'j F Y')}. "
            f"Ask an owner of {organization} to send you a new one.",
            code="expired",
        )
    if user is not None and normalize_email(user.email) != invitation.email:
        raise TeamError(
            f"This invitation is for {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out, then open the link again.",
            code="wrong_email",
        )


@transaction.atomic
def invitation_accept(*, token: str, user: User | None) -> Membership:
    """Accept the invitation that ``token`` names: ``user`` becomes a member with its role
    (an existing membership keeps its role) and the invitation is used up.

    With ``user=None`` the visitor is not signed in and has no account: one is made for the
    invitation's address, without a password (they sign in by emailed code) and with that
    address verified, since the link reached its inbox; signing them in is the caller's job.
    Raises ``TeamError`` (expired, withdrawn, used, another address, an account that must
    sign in first) and writes nothing when refused."""
    found = Invitation.objects.from_token(token)
    if found is None:
        raise TeamError(
            "This invitation link is not valid: check that you copied all of it.", code="invalid"
        )
    organization = _lock(found.organization_id)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    invitation.organization = organization
    invitation_check(invitation=invitation, user=user)
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise TeamError(
                f"There is already an account for {invitation.email}: sign in, then accept.",
                code="account_exists",
            )
        user, _ = user_get_or_create(email=invitation.email)
        user_mark_email_verified(user=user)
    membership, _ = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    _record(
        organization=organization,
        actor=user,
        verb=OrganizationEvent.Verb.JOINED,
        email=user.email,
        role=membership.role,
        invitation=invitation.pk,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an open invitation (an owner's act): its link stops working at once."""
    organization = _lock(invitation.organization_id)
    _require_owner(organization=organization, user=by, action="withdraw invitations")
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise TeamError(
            f"{locked.email} has already accepted: remove them from the team instead.",
            code="used",
        )
    if locked.revoked_at is not None:
        raise TeamError(f"The invitation of {locked.email} was already withdrawn.", code="revoked")
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    _record(
        organization=organization,
        actor=by,
        verb=OrganizationEvent.Verb.INVITATION_REVOKED,
        email=locked.email,
        invitation=locked.pk,
    )
    return locked


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member from their organisation: an owner may remove anyone, a member only
    themselves (leaving). The organisation always keeps an owner. Their access ends with the
    membership: every client query is scoped through memberships."""
    organization = _lock(membership.organization_id)
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None:
        raise TeamError("They are no longer a member: someone removed them already.", code="gone")
    leaving = locked.user_id == by.pk
    if not leaving:
        _require_owner(organization=organization, user=by, action="remove members")
    other_owners = organization.memberships.filter(role=Membership.Role.OWNER).exclude(pk=locked.pk)
    if locked.role == Membership.Role.OWNER and not other_owners.exists():
        raise TeamError(
            f"{organization} must keep at least one owner: invite another owner before "
            + ("you leave." if leaving else f"removing {locked.user.email}."),
            code="last_owner",
        )
    locked.delete()
    _record(
        organization=organization,
        actor=by,
        verb=OrganizationEvent.Verb.LEFT if leaving else OrganizationEvent.Verb.REMOVED,
        email=locked.user.email,
        role=locked.role,
    )
