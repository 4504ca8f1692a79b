"""Shared fixtures. The suite runs on PostgreSQL (see `make test`). `make test`'s second pass
(scripts/test-sqlite) runs the page tests and the crawl on the embedded default, SQLite, and sets
``CTO_TEST_DATABASE=sqlite`` for it: only then is SQLite accepted, and only those tests run, less
the ones marked ``postgresql``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from fnmatch import fnmatch

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from cto.brand import selectors as brand_selectors
from cto.engagements.models import Engagement
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory, OperatorFactory, OrganizationFactory

# The database the run declares: PostgreSQL unless `make test`'s SQLite pass says otherwise. A
# run on SQLite must say so, so that a DATABASE_URL left unset never passes for the main run.
EXPECTED_DATABASE = os.environ.get("CTO_TEST_DATABASE", "postgresql")
# What the SQLite pass runs: the tests that drive pages, found without anyone listing them: every
# test in a view or form test file (and the two suites of every page), and every other test
# that asks for pytest-django's test client (admin pages, sign-in, error pages, ...).
SQLITE_PASS_FILES = (
    "test_views*.py",
    "test_forms*.py",
    "test_authorization_matrix.py",
    "test_crawl.py",
)
SQLITE_PASS_FIXTURES = frozenset({"client", "admin_client"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite, keep the page tests only, less those marked ``postgresql``."""
    if EXPECTED_DATABASE != "sqlite":
        return
    kept, deselected = [], []
    for item in items:
        in_pass = any(fnmatch(item.path.name, pattern) for pattern in SQLITE_PASS_FILES) or (
            not SQLITE_PASS_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
        )
        if in_pass and item.get_closest_marker("postgresql") is None:
            kept.append(item)
        else:
            deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _require_the_declared_database(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> None:
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if EXPECTED_DATABASE not in {"postgresql", "sqlite"}:
        pytest.exit(
            f"CTO_TEST_DATABASE={EXPECTED_DATABASE!r}: expected postgresql or sqlite.", returncode=2
        )
    if vendor != EXPECTED_DATABASE and EXPECTED_DATABASE == "sqlite":
        pytest.exit(
            f"CTO_TEST_DATABASE=sqlite, but DATABASE_URL is a {vendor} database: the SQLite "
            "pass runs with scripts/test-sqlite (see docs/testing.md).",
            returncode=2,
        )
    if vendor != EXPECTED_DATABASE:
        pytest.exit(
            f"The test suite runs on PostgreSQL, not {vendor}: run it with `make test`, "
            "or set DATABASE_URL to a PostgreSQL server. (Its SQLite pass, for the page tests "
            "and the crawl, sets CTO_TEST_DATABASE=sqlite: see docs/testing.md.)",
            returncode=2,
        )


@pytest.fixture(scope="session", autouse=True)
def _remove_this_runs_broker_keys() -> Iterator[None]:
    """`make test` gives Celery a key prefix of the run's own; leave nothing behind in Redis."""
    yield
    prefix = os.environ.get("CELERY_KEY_PREFIX")
    if prefix and settings.CELERY_BROKER_URL.startswith("redis://"):
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Production hashing is slow on purpose; the tests check behaviour, not its cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # allauth keeps its rate-limit counters in the cache: each test starts from none.
    cache.clear()
    # ... but with the brand cached, as a running site has it: pages read it from the cache on
    # every request, and the query pins count a warm site. A test starts with no Brand row, so
    # the cached brand is the settings' (tests/brand pins the cold read's one query).
    cache.set(brand_selectors.CACHE_KEY, brand_selectors.identity_from_settings(), 300)


@pytest.fixture
def operator(db: None) -> User:
    return OperatorFactory()


@pytest.fixture
def organization(db: None) -> Organization:
    return OrganizationFactory(name="Acme Robotics")


@pytest.fixture
def other_organization(db: None) -> Organization:
    return OrganizationFactory(name="Globex Freight")


@pytest.fixture
def client_user(organization: Organization) -> User:
    """A member of ``organization``."""
    return MembershipFactory(organization=organization).user


@pytest.fixture
def engagement(organization: Organization, operator: User) -> Engagement:
    return EngagementFactory(organization=organization, lead=operator)


@pytest.fixture
def foreign_engagement(other_organization: Organization) -> Engagement:
    """An engagement of an organisation ``client_user`` does not belong to."""
    return EngagementFactory(organization=other_organization, title="Globex secret project")
