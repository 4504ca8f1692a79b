"""Row ids in paths stop at the largest id a database holds: past it the path matches nothing
(404), where SQLite would otherwise raise OverflowError (a 500) on the lookup."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from cto.core.converters import ID_MAX
from tests.users.factories import OperatorFactory


@pytest.mark.parametrize("number", [str(ID_MAX + 1), str(2**64), "9" * 40])
def test_a_path_id_past_the_largest_id_matches_nothing(number: str) -> None:
    with pytest.raises(Resolver404):
        resolve(f"/portal/engagements/{number}/")


def test_the_largest_id_still_matches() -> None:
    assert resolve(f"/portal/engagements/{ID_MAX}/").kwargs == {"pk": ID_MAX}


@pytest.mark.django_db
def test_an_operator_asking_for_a_huge_id_gets_404(client: Client) -> None:
    client.force_login(OperatorFactory())
    operator_client = client
    assert operator_client.post(f"/ops/engagements/{2**64}/advance/").status_code == 404
    assert operator_client.get(f"/portal/audits/{'9' * 40}/").status_code == 404
