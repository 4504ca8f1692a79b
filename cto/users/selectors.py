"""Reads of users and organisations that must stay scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from cto.users.models import Membership, Organization, User


def organizations_for(*, user: User) -> QuerySet[Organization]:
    """Organisations ``user`` may see: all for operators, their own for everyone else."""
    if user.is_operator:
        return Organization.objects.all()
    return Organization.objects.filter(
        pk__in=Membership.objects.filter(user=user).values("organization_id")
    )
