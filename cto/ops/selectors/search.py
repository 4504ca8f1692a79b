"""Search across organisations, people (members and intake contacts) and engagements."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from cto.engagements.models import Engagement
from cto.intake.models import IntakeResponse
from cto.users.models import Organization, User

# --- Search --------------------------------------------------------------------------------------

# One character matches nearly everything: it would only slow the page down.
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10  # of each kind; type more to narrow


@dataclass(frozen=True)
class SearchResults:
    query: str
    organizations: list[Organization]
    people: list[User]
    intake_contacts: list[IntakeResponse]
    engagements: list[Engagement]

    @property
    def searched(self) -> bool:
        return len(self.query) >= SEARCH_MIN_LENGTH

    @property
    def total(self) -> int:
        return (
            len(self.organizations)
            + len(self.people)
            + len(self.intake_contacts)
            + len(self.engagements)
        )

    @property
    def limit(self) -> int:
        return SEARCH_LIMIT


def ops_search(*, query: str) -> SearchResults:
    """Organisations by name, people (users) by name or email, intake contacts by name, email
    or company, engagements by title; case-insensitive, at most ``SEARCH_LIMIT`` of each, and
    nothing (no query at all) for a query shorter than ``SEARCH_MIN_LENGTH``."""
    query = " ".join(query.split())
    if len(query) < SEARCH_MIN_LENGTH:
        return SearchResults(query, [], [], [], [])
    organizations = (
        Organization.objects.filter(name__icontains=query)
        .prefetch_related(Prefetch("engagements", queryset=Engagement.objects.order_by("title")))
        .order_by("name")[:SEARCH_LIMIT]
    )
    people = (
        User.objects.filter(Q(name__icontains=query) | Q(email__icontains=query))
        .prefetch_related(Prefetch("organizations", queryset=Organization.objects.order_by("name")))
        .order_by("email")[:SEARCH_LIMIT]
    )
    intake_contacts = (
        IntakeResponse.objects.filter(
            Q(contact_name__icontains=query)
            | Q(contact_email__icontains=query)
            | Q(resume_email__icontains=query)
            | Q(company__icontains=query)
        )
        .select_related("engagement")
        .defer("answers")
        .order_by("-started_at")[:SEARCH_LIMIT]
    )
    engagements = (
        Engagement.objects.filter(title__icontains=query)
        .select_related("organization")
        .order_by("title", "id")[:SEARCH_LIMIT]
    )
    return SearchResults(
        query, list(organizations), list(people), list(intake_contacts), list(engagements)
    )
