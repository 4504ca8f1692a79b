"""The report request's form refuses an unknown kind with a message; the view answers a hostile
POST with the card, that message and 422, queuing nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.reports.forms import ReportRequestForm
from cto.reports.models import Report
from cto.users.models import User

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("kind", ["memo", "\x00", "²", "WEEK_ONE", "week_one\x00"])
def test_the_kind_is_one_of_the_report_kinds(kind: str) -> None:
    form = ReportRequestForm({"kind": kind})
    assert not form.is_valid()
    assert form.errors["kind"] == ["There is no report of the kind you chose."]


def test_no_kind_is_the_week_one_report() -> None:
    for data in ({}, {"kind": ""}):
        form = ReportRequestForm(data)
        assert form.is_valid()
        assert form.cleaned_data["kind"] == Report.Kind.WEEK_ONE
    form = ReportRequestForm({"kind": "audit"})
    assert form.is_valid()
    assert form.cleaned_data["kind"] == Report.Kind.AUDIT


@pytest.mark.parametrize("kind", ["memo", "\x00"])
def test_a_hostile_request_answers_422_and_queues_nothing(
    client: Client, operator: User, engagement: Engagement, kind: str
) -> None:
    client.force_login(operator)
    url = reverse("reports:generate", args=[engagement.pk])
    reply = client.post(url, {"kind": kind}, headers=HTMX)
    assert reply.status_code == 422
    assert "There is no report of the kind you chose." in reply.text
    plain = client.post(url, {"kind": kind}, follow=True)
    assert plain.status_code == 200
    assert "There is no report of the kind you chose." in plain.text
    assert not Report.objects.exists()
