from __future__ import annotations

import factory

from cto.engagements.models import Engagement
from tests.users.factories import OrganizationFactory


class EngagementFactory(factory.django.DjangoModelFactory):
    """A bare engagement row. Tests of behaviour create and move engagements through the
    services; this is for setting the scene."""

    class Meta:
        model = Engagement

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Engagement {n}")
    kind = Engagement.Kind.AI
