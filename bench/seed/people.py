"""The practice's operators, and the client organisations with their owner and member."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password

from bench.seed.world import World, copy_rows, reserve_ids
from cto.users.models import Membership, Organization, User

OPERATORS = 20
MEMBERS_PER_ORGANIZATION = 2

WORDS_A = (
    "Northern",
    "Blue",
    "Quiet",
    "Rapid",
    "Granite",
    "Silver",
    "Harbor",
    "Summit",
    "Maple",
    "Copper",
    "Bright",
    "Open",
    "Clear",
    "Iron",
    "Cedar",
    "Golden",
    "Polar",
    "Lumen",
)
WORDS_B = (
    "Analytics",
    "Logistics",
    "Health",
    "Robotics",
    "Finance",
    "Foods",
    "Energy",
    "Media",
    "Labs",
    "Systems",
    "Mobility",
    "Retail",
    "Insurance",
    "Learning",
    "Security",
    "Travel",
)
FIRST = ("Ada", "Sam", "Noor", "Lin", "Kofi", "Mara", "Iker", "Yuki", "Ravi", "Elena", "Tom")
LAST = ("Lovell", "Okafor", "Haddad", "Chen", "Mensah", "Novak", "Ortiz", "Sato", "Iyer")


def users_write(world: World, cursor: Any) -> None:
    """Operators to lead the work, and each organisation's owner and member."""
    n_orgs = world.sizes.organizations
    total = OPERATORS + n_orgs * MEMBERS_PER_ORGANIZATION
    first_id = reserve_ids(cursor, User, total)
    # One hash for everyone: nobody signs in as them, and hashing 20k passwords takes minutes.
    password = make_password(None)
    columns = [
        "id",
        "password",
        "is_superuser",
        "email",
        "name",
        "is_staff",
        "is_service_account",
        "is_active",
        "date_joined",
    ]

    def rows() -> Iterable[tuple[Any, ...]]:
        pk = first_id
        for index in range(OPERATORS):
            world.operator_ids.append(pk)
            email = f"operator{index}.{world.tag}@practice.example"
            yield (pk, password, False, email, f"Operator {index}", True, False, True, world.now)
            pk += 1
        for org in range(n_orgs):
            people = []
            for member in range(MEMBERS_PER_ORGANIZATION):
                first, last = world.rng.choice(FIRST), world.rng.choice(LAST)
                email = f"{first}.{last}{member}@org{org}-{world.tag}.example".lower()
                yield (pk, password, False, email, f"{first} {last}", False, False, True, world.now)
                people.append(pk)
                pk += 1
            world.member_ids.append(people)

    world.count(User, copy_rows(cursor, User, columns, rows()))


def organizations_write(world: World, cursor: Any) -> None:
    """The organisations, and the memberships of the people ``users_write`` made for them."""
    n = world.sizes.organizations
    first_id = reserve_ids(cursor, Organization, n)
    world.organization_ids = list(range(first_id, first_id + n))

    def rows() -> Iterable[tuple[Any, ...]]:
        for index, pk in enumerate(world.organization_ids):
            name = f"{world.rng.choice(WORDS_A)} {world.rng.choice(WORDS_B)} {index}-{world.tag}"
            website = f"https://org{index}-{world.tag}.example"
            created = world.ago(0, 5 * 365)
            yield (pk, name, website, created, created)

    columns = ["id", "name", "website", "created_at", "updated_at"]
    world.count(Organization, copy_rows(cursor, Organization, columns, rows()))

    def memberships() -> Iterable[tuple[Any, ...]]:
        for org_pk, people in zip(world.organization_ids, world.member_ids, strict=True):
            for position, user_pk in enumerate(people):
                role = Membership.Role.OWNER if position == 0 else Membership.Role.MEMBER
                yield (user_pk, org_pk, role.value, world.now, world.now)

    columns = ["user_id", "organization_id", "role", "created_at", "updated_at"]
    world.count(Membership, copy_rows(cursor, Membership, columns, memberships()))
