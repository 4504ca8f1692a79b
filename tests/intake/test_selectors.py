"""cto/intake/selectors.py on PostgreSQL: the intake funnel, counted from visits made through
the pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cto.intake.models import IntakeResponse
from cto.intake.selectors import intake_funnel
from tests.intake.factories import publish_shipped_tree
from tests.intake.test_views import CONTACT, start, walk_to_result

pytestmark = pytest.mark.django_db


def test_the_funnel_counts_each_stage(django_assert_max_num_queries) -> None:
    version = publish_shipped_tree()
    finished = Client()
    walk_to_result(finished, version)
    finished.post(reverse("intake:result"), CONTACT)
    walk_to_result(Client(), version)
    start(Client())
    first = IntakeResponse.objects.exclude(completed_at=None).first()
    IntakeResponse.objects.filter(pk=first.pk).update(
        completed_at=first.started_at + datetime.timedelta(minutes=4)
    )

    with django_assert_max_num_queries(3):
        funnel = intake_funnel(version=version)

    assert (funnel.started, funnel.completed, funnel.submitted) == (3, 2, 1)
    reached = {row.node: row.reached for row in funnel.questions}
    assert reached["building"] == 3
    assert reached["ai_role"] == 2
    assert reached["core_risk"] == 0
    assert {row.node: row.reached for row in funnel.outcomes}["outcome_ai"] == 2
    assert funnel.median_time_to_complete is not None
    assert funnel.median_time_to_complete > datetime.timedelta(minutes=1)
