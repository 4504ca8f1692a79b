"""schemathesis against /api/v1/openapi.json, in process on the WSGI app, with a client's token
and an operator's: every operation, with values generated from the document, must answer
without a server error and as the document says (status, content type, body, headers).
`schemathesis run http://127.0.0.1:8000/api/v1/openapi.json -H "Authorization: Bearer ..."` (or
`python -m schemathesis.cli run ...`) runs the same checks against a running server
(docs/api.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from cto.api.services import token_create
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.users.models import User
from cto.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection at the end of each request, and with it
    the test's transaction: as Django's test client does, leave it open while the test runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _authorization(user: User, operator: User, engagement: Engagement) -> dict[str, str]:
    # Something for the generated ids and filters to find: an engagement with a timeline.
    engagement_transition(engagement=engagement, to="qualified", by=operator)
    secret = token_create(user=user, name="schemathesis", scope="read", by=user).secret
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def as_client(
    client_user: User, operator: User, engagement: Engagement, foreign_engagement: Engagement
) -> dict[str, str]:
    return _authorization(client_user, operator, engagement)


@pytest.fixture
def as_operator(
    operator: User, engagement: Engagement, foreign_engagement: Engagement
) -> dict[str, str]:
    return _authorization(operator, operator, engagement)


RUN = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _conforms(authorization: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 3
    for operation in operations:
        # Values the document allows, then values it forbids (which must be refused with a 4xx).
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @RUN
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: Any) -> None:
                case.call_and_validate(headers=authorization)

            check()


def test_the_api_conforms_to_its_document_with_a_client_token(as_client: dict[str, str]) -> None:
    _conforms(as_client)


def test_the_api_conforms_to_its_document_with_an_operator_token(
    as_operator: dict[str, str],
) -> None:
    _conforms(as_operator)
