"""Reads of users and organisations that must stay scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cto.users.models import Invitation, Membership, Organization, User


def organizations_for(*, user: User) -> QuerySet[Organization]:
    """Organisations ``user`` may see: all for operators, their own for everyone else."""
    if user.is_operator:
        return Organization.objects.all()
    return Organization.objects.filter(
        pk__in=Membership.objects.filter(user=user).values("organization_id")
    )


def is_owner(*, organization: Organization, user: User) -> bool:
    return Membership.objects.filter(
        organization=organization, user_id=user.pk, role=Membership.Role.OWNER
    ).exists()


def organization_get(*, user: User, pk: int) -> Organization:
    """One organisation ``user`` may see; 404 (not 403) for anything else, so a foreign id
    reveals nothing."""
    return get_object_or_404(organizations_for(user=user), pk=pk)


@dataclass(frozen=True)
class Team:
    """What the team page shows of one organisation, read in three queries."""

    organization: Organization
    memberships: list[Membership]
    invitations: list[Invitation]  # open ones (pending or expired), newest first
    mine: Membership | None  # the viewer's own membership (None for an operator)

    @property
    def can_manage(self) -> bool:
        return self.mine is not None and self.mine.role == Membership.Role.OWNER


def team_get(*, user: User, pk: int) -> Team:
    organization = organization_get(user=user, pk=pk)
    memberships = list(
        organization.memberships.select_related("user").order_by("-role", "user__email")
    )
    invitations = list(
        organization.invitations.open().select_related("invited_by").order_by("email")
    )
    mine = next((m for m in memberships if m.user_id == user.pk), None)
    return Team(organization, memberships, invitations, mine)


def invitation_get(*, user: User, pk: int) -> Invitation:
    """An invitation of an organisation ``user`` may see (else 404)."""
    return get_object_or_404(
        Invitation.objects.select_related("organization").filter(
            organization__in=organizations_for(user=user)
        ),
        pk=pk,
    )


def membership_get(*, user: User, pk: int) -> Membership:
    """A membership of an organisation ``user`` may see (else 404)."""
    return get_object_or_404(
        Membership.objects.select_related("organization", "user").filter(
            organization__in=organizations_for(user=user)
        ),
        pk=pk,
    )
