"""Reads of webhook endpoints and their deliveries, scoped to who manages them.

Operators manage every endpoint (the practice's, and an organisation's when its owners need a
hand); a client manages the endpoints of the organisations they own. A member who is not an
owner manages none: their organisation's endpoints answer 403, anyone else's 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cto.users.models import Membership, Organization, User
from cto.webhooks.models import Delivery, Endpoint

# The delivery log shows the latest deliveries of an endpoint.
DELIVERY_LOG = 50


def owned_organizations(*, user: User) -> QuerySet[Organization]:
    """The organisations whose endpoints ``user`` may register, as one of their owners."""
    return Organization.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.OWNER
    ).order_by("name")


def endpoint_list(*, user: User) -> QuerySet[Endpoint]:
    """The endpoints ``user`` manages, newest first."""
    endpoints = Endpoint.objects.select_related("organization", "created_by")
    if not user.is_authenticated or not user.is_active:
        return endpoints.none()
    if user.is_staff:
        return endpoints
    return endpoints.filter(organization__in=owned_organizations(user=user))


def endpoint_get(*, user: User, pk: int) -> Endpoint:
    """One endpoint ``user`` manages; 403 for a member of its organisation who is not an
    owner, 404 for anyone else (a foreign id reveals nothing)."""
    endpoint = endpoint_list(user=user).filter(pk=pk).first()
    if endpoint is not None:
        return endpoint
    member = Membership.objects.filter(user=user, organization__webhook_endpoints=pk).exists()
    if member:
        raise PermissionDenied("Only an owner of the organisation manages its webhooks.")
    raise Http404("No such endpoint.")


def delivery_log(*, endpoint: Endpoint) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    return list(endpoint.deliveries.prefetch_related("attempt_log").order_by("-id")[:DELIVERY_LOG])


def delivery_get(*, user: User, pk: int) -> Delivery:
    """One delivery of an endpoint ``user`` manages (as ``endpoint_get`` answers)."""
    delivery = Delivery.objects.filter(pk=pk).only("endpoint_id").first()
    if delivery is None:
        raise Http404("No such delivery.")
    endpoint = endpoint_get(user=user, pk=delivery.endpoint_id)
    found = endpoint.deliveries.get(pk=pk)
    found.endpoint = endpoint
    return found
