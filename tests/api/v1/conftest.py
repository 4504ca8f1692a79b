"""What the tests of the API's resources share: a token that may write, and the shape of a
problem document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse

from cto.api.models import ApiToken
from cto.users.models import User
from tests.api.conftest import BearerFor

WriterFor = Callable[[User], dict[str, str]]


@pytest.fixture
def writer_for(bearer_for: BearerFor) -> WriterFor:
    """Headers with a new ``read write`` token of the user."""

    def make(user: User) -> dict[str, str]:
        return bearer_for(user, ApiToken.Scope.READ_WRITE)

    return make


def problem(response: HttpResponse, status: int) -> dict[str, Any]:
    """The problem document of ``response``, which must have ``status``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()  # type: ignore[attr-defined]  # the test client's
    assert body["status"] == status
    assert body["detail"]
    return body


def fields(response: HttpResponse) -> list[str]:
    """The fields a 422 names."""
    return [error["field"] for error in problem(response, 422).get("errors") or []]
