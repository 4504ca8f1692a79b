"""/api/v1/intake-responses: operators only (a client's token is 403, whatever the id), with
the path the prospect took as the admin shows it."""

from __future__ import annotations

import pytest
from django.test import Client

from cto.intake import services
from cto.intake.models import IntakeResponse
from cto.users.models import User
from tests.api.conftest import BearerFor
from tests.api.v1.conftest import fields, problem
from tests.intake.factories import publish_shipped_tree

pytestmark = pytest.mark.django_db
LIST = "/api/v1/intake-responses"


@pytest.fixture
def responses() -> tuple[IntakeResponse, IntakeResponse]:
    """An unfinished response with one answer, then an untouched one."""
    version = publish_shipped_tree()
    answered = services.intake_start(tree_slug="cto-fit")
    for node_id, raw in [
        ("building", {"text": "Claims agent"}),
        ("ai_role", {"choices": ["core"]}),
    ]:
        services.intake_answer(response=answered, node=node_id, raw=raw, tree_version_id=version.pk)
    return answered, services.intake_start(tree_slug="cto-fit")


def test_an_operator_lists_and_reads_responses_with_their_path(
    client: Client,
    operator: User,
    responses: tuple[IntakeResponse, IntakeResponse],
    bearer_for: BearerFor,
) -> None:
    answered, untouched = responses
    headers = bearer_for(operator)
    body = client.get(LIST, headers=headers).json()
    assert [item["id"] for item in body["items"]] == [untouched.pk, answered.pk]
    assert client.get(LIST, {"status": "submitted"}, headers=headers).json()["count"] == 0
    detail = client.get(f"{LIST}/{answered.pk}", headers=headers).json()
    walk = IntakeResponse.objects.get(pk=answered.pk).walk()
    assert [step["question"] for step in detail["path"]] == [s.question.id for s in walk.steps]
    assert detail["path"][0]["answer"] == walk.steps[0].answer_text
    assert detail["stopped_at"] == walk.frontier.prompt  # type: ignore[union-attr]


def test_a_clients_token_is_403_whatever_the_id_and_no_token_401(
    client: Client,
    client_user: User,
    responses: tuple[IntakeResponse, IntakeResponse],
    bearer_for: BearerFor,
) -> None:
    answered, _ = responses
    headers = bearer_for(client_user)
    for url in (LIST, f"{LIST}/{answered.pk}", f"{LIST}/{answered.pk + 1000}"):
        problem(client.get(url, headers=headers), 403)
        problem(client.get(url), 401)


def test_an_unknown_id_is_404_for_an_operator(
    client: Client, operator: User, bearer_for: BearerFor
) -> None:
    problem(client.get(f"{LIST}/999999", headers=bearer_for(operator)), 404)


def test_a_bad_filter_is_422(client: Client, operator: User, bearer_for: BearerFor) -> None:
    assert fields(client.get(LIST, {"status": "won"}, headers=bearer_for(operator))) == [
        "query.status"
    ]


def test_the_list_costs_a_fixed_number_of_queries(
    client: Client,
    operator: User,
    responses: tuple[IntakeResponse, IntakeResponse],
    bearer_for: BearerFor,
    django_assert_num_queries: object,
) -> None:
    headers = bearer_for(operator)
    client.get(LIST, headers=headers)
    # The token with its owner, the count, the page with the tree versions.
    with django_assert_num_queries(3):  # type: ignore[operator]  # pytest-django's fixture
        assert len(client.get(LIST, headers=headers).json()["items"]) == 2
