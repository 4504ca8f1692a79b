"""The precompiled statements do what the ORM calls they stand for, with any values after the
first (they are compiled from the first call's values), in one query each."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.db import DataError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from cto.core import precompiled
from cto.intake.models import IntakeResponse, IntakeVisit
from cto.intake.services import intake_start
from tests.intake.factories import publish_shipped_tree

pytestmark = pytest.mark.django_db


def columns(row: Model) -> dict[str, object]:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


@pytest.fixture
def responses() -> list[IntakeResponse]:
    publish_shipped_tree()
    return [intake_start(tree_slug="cto-fit") for _ in range(3)]


def test_get_by_loads_the_row_as_the_orm_does(responses, django_assert_num_queries) -> None:
    IntakeResponse.objects.filter(pk=responses[1].pk).update(
        answers={"building": {"text": "Ünïcode \N{SNOWMAN}"}}, outcome="outcome_ai"
    )
    for response in responses:  # each after the first reuses the statement
        expected = IntakeResponse.objects.get(pk=response.pk)
        with django_assert_num_queries(1):
            found = precompiled.get_by(IntakeResponse, "token", response.token)

        assert isinstance(found, IntakeResponse)
        assert columns(found) == columns(expected)
        assert found._state.adding is False
        assert found._state.db == "default"
    assert precompiled.get_by(IntakeResponse, "token", responses[1].token).answers == {
        "building": {"text": "Ünïcode \N{SNOWMAN}"}
    }


def test_get_by_finds_nothing_for_an_unknown_value(responses) -> None:
    assert precompiled.get_by(IntakeResponse, "token", "no-such-token") is None


def test_none_is_refused_where_the_orm_would_write_null(responses) -> None:
    with pytest.raises(ValueError, match="token"):
        precompiled.get_by(IntakeResponse, "token", None)
    with pytest.raises(ValueError, match="updated_at"):
        precompiled.update_where(
            IntakeResponse, where={"pk": responses[0].pk, "updated_at": None}, values={}
        )


def test_update_where_changes_only_the_rows_that_match(responses, django_assert_num_queries):
    first, second, third = responses
    later = timezone.now() + datetime.timedelta(minutes=5)

    with django_assert_num_queries(1):
        changed = precompiled.update_where(
            IntakeResponse,
            where={"pk": first.pk, "updated_at": first.updated_at},
            values={"answers": {"building": {"text": "one"}}, "updated_at": later},
        )
    # The same statement, other values: a stale updated_at matches nothing.
    stale = precompiled.update_where(
        IntakeResponse,
        where={"pk": second.pk, "updated_at": second.updated_at - datetime.timedelta(seconds=1)},
        values={"answers": {"building": {"text": "two"}}, "updated_at": later},
    )
    fresh = precompiled.update_where(
        IntakeResponse,
        where={"pk": third.pk, "updated_at": third.updated_at},
        values={"answers": {"building": {"text": "three"}}, "updated_at": later},
    )

    assert (changed, stale, fresh) == (1, 0, 1)
    rows = {row.pk: row for row in IntakeResponse.objects.all()}
    assert rows[first.pk].answers == {"building": {"text": "one"}}
    assert rows[first.pk].updated_at == later
    assert rows[second.pk].answers == {}
    assert rows[second.pk].updated_at == second.updated_at
    assert rows[third.pk].answers == {"building": {"text": "three"}}


def test_update_where_keeps_each_value_with_its_column_in_any_order(responses) -> None:
    first, second, _ = responses
    later = timezone.now() + datetime.timedelta(minutes=5)
    # The conditions and the values named in another order than the ORM would sort them.
    precompiled.update_where(
        IntakeResponse,
        where={"updated_at": first.updated_at, "pk": first.pk},
        values={"updated_at": later, "outcome": "outcome_ai", "answers": {"a": 1}},
    )
    precompiled.update_where(
        IntakeResponse,
        where={"updated_at": second.updated_at, "pk": second.pk},
        values={"updated_at": later, "outcome": "outcome_generic", "answers": {"b": 2}},
    )

    rows = {row.pk: row for row in IntakeResponse.objects.all()}
    assert (rows[first.pk].outcome, rows[first.pk].answers) == ("outcome_ai", {"a": 1})
    assert (rows[second.pk].outcome, rows[second.pk].answers) == ("outcome_generic", {"b": 2})
    assert rows[first.pk].updated_at == rows[second.pk].updated_at == later


def test_insert_ignoring_conflicts_adds_a_row_once(responses, django_assert_num_queries) -> None:
    response = responses[0]
    when = timezone.now()
    with django_assert_num_queries(1):
        precompiled.insert_ignoring_conflicts(
            IntakeVisit, {"response_id": response.pk, "node": "ai_role", "reached_at": when}
        )
    precompiled.insert_ignoring_conflicts(  # the same node again: kept as it was
        IntakeVisit,
        {"response_id": response.pk, "node": "ai_role", "reached_at": when.replace(year=2000)},
    )
    precompiled.insert_ignoring_conflicts(
        IntakeVisit, {"response_id": responses[1].pk, "node": "team", "reached_at": when}
    )

    visits = set(IntakeVisit.objects.values_list("response_id", "node", "reached_at"))
    assert (response.pk, "ai_role", when) in visits
    assert (responses[1].pk, "team", when) in visits
    assert len([visit for visit in visits if visit[1] == "ai_role"]) == 1


def test_a_failed_write_caught_inside_a_transaction_still_rolls_it_back(responses) -> None:
    with transaction.atomic():
        with contextlib.suppress(DataError):
            precompiled.insert_ignoring_conflicts(  # too long for the column
                IntakeVisit,
                {"response_id": responses[0].pk, "node": "x" * 65, "reached_at": timezone.now()},
            )
        # The ORM refuses to go on in the broken transaction, as after its own writes.
        with pytest.raises(transaction.TransactionManagementError):
            IntakeResponse.objects.count()


@pytest.fixture(params=["one statement", "two statements"])
def vendor(request, monkeypatch) -> str:
    """PostgreSQL's single statement, and the two statements every other database runs (here
    on PostgreSQL too, as the embedded SQLite would run them)."""
    if request.param == "two statements":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return str(request.param)


def answer(response: IntakeResponse, node: str, *, as_read: datetime.datetime) -> int:
    return precompiled.update_where_then_insert(
        IntakeResponse,
        where={"pk": response.pk, "updated_at": as_read},
        values={"answers": {node: {"text": "yes"}}, "updated_at": timezone.now()},
        insert_model=IntakeVisit,
        insert_values={"response_id": response.pk, "node": node, "reached_at": timezone.now()},
    )


def visited(response: IntakeResponse) -> set[str]:
    return set(IntakeVisit.objects.filter(response=response).values_list("node", flat=True))


def test_update_then_insert_writes_both_when_the_row_is_as_read(
    responses, vendor, django_assert_num_queries
) -> None:
    first, second, _ = responses
    # Two statements run in a transaction: in a test's, a savepoint and its release.
    with django_assert_num_queries(1 if vendor == "one statement" else 4):
        assert answer(first, "team", as_read=first.updated_at) == 1
    assert answer(second, "ai_role", as_read=second.updated_at) == 1  # the statement reused

    first.refresh_from_db()
    assert first.answers == {"team": {"text": "yes"}}
    assert "team" in visited(first)
    assert "ai_role" in visited(second)
    assert "team" not in visited(second)


def test_update_then_insert_writes_nothing_when_the_row_changed_meanwhile(
    responses, vendor
) -> None:
    response = responses[0]
    stale = response.updated_at - datetime.timedelta(seconds=1)

    assert answer(response, "team", as_read=stale) == 0

    response.refresh_from_db()
    assert response.answers == {}
    assert "team" not in visited(response)


def test_update_then_insert_keeps_the_update_when_the_visit_is_already_there(
    responses, vendor
) -> None:
    response = responses[0]
    assert answer(response, "team", as_read=response.updated_at) == 1
    response.refresh_from_db()

    assert answer(response, "team", as_read=response.updated_at) == 1  # the visit: a conflict

    assert IntakeVisit.objects.filter(response=response, node="team").count() == 1


@pytest.mark.django_db(transaction=True)  # outside any transaction, as a request runs it
def test_update_then_insert_writes_neither_when_the_insert_fails(responses, vendor) -> None:
    response = responses[0]
    with pytest.raises(DataError):
        answer(response, "x" * 65, as_read=response.updated_at)  # too long for the visit

    response.refresh_from_db()
    assert response.answers == {}
    assert visited(response) == {"building"}
