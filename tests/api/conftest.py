from __future__ import annotations

from collections.abc import Callable

import pytest

from cto.api.models import ApiToken
from cto.api.services import token_create
from cto.users.models import User

BearerFor = Callable[..., dict[str, str]]


@pytest.fixture
def bearer_for() -> BearerFor:
    """Headers that carry a new token of ``user`` (read scope unless told)."""

    def make(user: User, scope: str = ApiToken.Scope.READ) -> dict[str, str]:
        secret = token_create(user=user, name="test", scope=scope, by=user).secret
        return {"Authorization": f"Bearer {secret}"}

    return make
