"""The report request's form refuses an unknown kind with a message; the view answers a hostile
POST with the card, that message and 422, queuing nothing. The text's forms: a draft unless
final is chosen, next steps in order without blank or removed rows, previews sanitised."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.reports.forms import (
    NarrativeForm,
    NextStepFormSet,
    ReportRequestForm,
    formset_error,
    next_steps_of,
)
from cto.reports.models import Report
from cto.reports.narratives import NextStep
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


def test_a_version_is_a_draft_unless_final_is_chosen() -> None:
    for data, release in (({}, "draft"), ({"release": "final"}, "final")):
        form = ReportRequestForm(data)
        assert form.is_valid()
        assert form.cleaned_data["release"] == release
    for value in ("automatic", "published", "FINAL"):
        form = ReportRequestForm({"release": value})
        assert not form.is_valid()
        assert form.errors["release"] == ["A version is either a draft for review or final."]


def _steps(*rows: tuple[str, str, str, bool], saved: int = 0) -> NextStepFormSet:
    """The formset as posted: ``saved`` of its rows were steps already saved."""
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(saved)}
    for index, (action, owner, due, delete) in enumerate(rows):
        data |= {
            f"steps-{index}-action": action,
            f"steps-{index}-owner": owner,
            f"steps-{index}-due": due,
        }
        if delete:
            data[f"steps-{index}-DELETE"] = "on"
    return NextStepFormSet(data, prefix="steps")


def test_next_steps_keep_their_order_and_leave_out_blank_and_removed_rows() -> None:
    formset = _steps(
        ("Own the gate", "Dana", "2026-03-09", False),
        ("", "", "", False),
        ("Dropped", "Sam", "not a date", True),
        ("Trace one ticket", "Olivia", "2026-03-16", False),
    )
    assert formset.is_valid(), formset.errors
    assert next_steps_of(formset) == [
        NextStep("Own the gate", "Dana", datetime.date(2026, 3, 9)),
        NextStep("Trace one ticket", "Olivia", datetime.date(2026, 3, 16)),
    ]


def test_a_half_written_step_is_refused_naming_the_step() -> None:
    formset = _steps(("Own the gate", "Dana", "2026-03-09", False), ("Trace", "", "", False))
    assert not formset.is_valid()
    assert formset_error(formset) == "Next step 2: Owner: This field is required."


def test_the_text_form_previews_each_part_sanitised() -> None:
    form = NarrativeForm(
        {"summary": "**Ship** it", "findings": "<b>raw</b>", "risks": "[x](javascript:y)"}
    )
    assert form.is_valid()
    assert form.previews() == {
        "summary": "<p><strong>Ship</strong> it</p>",
        "findings": "<p>&lt;b&gt;raw&lt;/b&gt;</p>",
        "risks": "<p>[x](javascript:y)</p>",
    }


def test_a_saved_step_blanked_is_dropped_not_asked_for_again() -> None:
    formset = _steps(
        ("", "", "", False), ("Trace one ticket", "Olivia", "2026-03-16", False), saved=2
    )
    assert formset.is_valid(), formset.errors
    assert next_steps_of(formset) == [
        NextStep("Trace one ticket", "Olivia", datetime.date(2026, 3, 16))
    ]
