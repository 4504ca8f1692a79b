"""The AI plan's forms refuse hostile values with a message (never an exception), and the views
answer a hostile POST with that message, 422, and nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cto.aiplan import forms, services
from cto.aiplan.models import AIPlan, CellScore, PlanComment
from cto.core.forms import first_error
from cto.engagements.models import ActivityEvent, Engagement
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
# Values that have answered 500 somewhere, or would be written as nonsense.
HOSTILE_NUMBERS = ["²", "1.5", "", "1\x00", "NaN", "Infinity", "1e999", "9" * 20, "-1"]


@pytest.fixture
def plan(engagement: Engagement, operator: User) -> AIPlan:
    plan = services.plan_start(engagement=engagement, by=operator)
    services.candidate_add(plan=plan, name="Model A", by=operator)
    return plan


@pytest.fixture
def foreign_plan(other_organization: Organization, operator: User) -> AIPlan:
    plan = services.plan_start(
        engagement=EngagementFactory(organization=other_organization), by=operator
    )
    services.candidate_add(plan=plan, name="Theirs", by=operator)
    return plan


@pytest.mark.parametrize("weight", [*HOSTILE_NUMBERS, "101"])
def test_a_weight_must_be_a_whole_number_from_0_to_100(weight: str) -> None:
    form = forms.WeightForm({"weight": weight})
    assert not form.is_valid()
    assert first_error(form) == forms.WEIGHT_MESSAGE


def test_a_weight_and_its_version_are_read_as_numbers() -> None:
    form = forms.WeightForm({"weight": "40", "version": "3"})
    assert form.is_valid()
    assert form.cleaned_data == {"weight": 40, "version": 3}


@pytest.mark.parametrize("version", ["²", "1.5", "abc", "0", "9" * 20, "\x00"])
def test_a_version_that_no_page_showed_is_refused(version: str) -> None:
    form = forms.WeightForm({"weight": "4", "version": version})
    assert not form.is_valid()
    assert "out of date" in first_error(form)


def test_an_empty_version_means_the_page_showed_none() -> None:
    form = forms.WeightForm({"weight": "4", "version": ""})
    assert form.is_valid()
    assert form.cleaned_data["version"] is None


@pytest.mark.parametrize(
    "data",
    [
        {"label": ""},
        {"label": "x\x00y"},
        {"label": "x" * 121},
        {"label": "Vibes", "weight": "²"},
        {"label": "Vibes", "direction": "sideways"},
    ],
)
def test_a_criterion_needs_a_short_name_a_weight_and_a_direction(data: dict[str, str]) -> None:
    assert not forms.CriterionForm(data).is_valid()


def test_a_criterion_without_a_weight_weighs_nothing() -> None:
    form = forms.CriterionForm({"label": "Vibes", "weight": ""})
    assert form.is_valid()
    assert (form.cleaned_data["weight"], form.cleaned_data["direction"]) == (0, "")


@pytest.mark.parametrize(
    "data", [{"name": ""}, {"name": "\x00"}, {"name": "A", "provider": "p" * 121}]
)
def test_a_candidate_needs_a_name_within_the_limits(data: dict[str, str]) -> None:
    assert not forms.CandidateForm(data).is_valid()


def _score_data(plan: AIPlan, **changes: str) -> dict[str, str]:
    return {
        "candidate": str(plan.candidates.get().pk),
        "criterion": str(plan.criteria.first().pk),
        "score": "3",
    } | changes


@pytest.mark.parametrize("score", [*HOSTILE_NUMBERS, "0", "6"])
def test_a_score_is_a_whole_number_from_1_to_5(plan: AIPlan, score: str) -> None:
    form = forms.CellScoreForm(_score_data(plan, score=score), plan=plan)
    assert not form.is_valid()
    assert first_error(form) == forms.SCORE_MESSAGE


@pytest.mark.parametrize(
    "value", ["²", "fast", "\x00", "NaN", "Infinity", "-Infinity", "1e999", "9" * 20, "0.00001"]
)
def test_a_measured_value_is_a_number_the_column_holds(plan: AIPlan, value: str) -> None:
    form = forms.CellScoreForm(_score_data(plan, measured_value=value), plan=plan)
    assert not form.is_valid()
    assert first_error(form).startswith("The measured value ")


@pytest.mark.parametrize("field", ["candidate", "criterion"])
@pytest.mark.parametrize("value", ["²", "1.5", "", "\x00", "9" * 20, "foreign"])
def test_a_score_names_a_candidate_and_criterion_of_this_plan(
    plan: AIPlan, foreign_plan: AIPlan, field: str, value: str
) -> None:
    if value == "foreign":
        row = (
            foreign_plan.candidates.get() if field == "candidate" else foreign_plan.criteria.first()
        )
        value = str(row.pk)
    form = forms.CellScoreForm(_score_data(plan, **{field: value}), plan=plan)
    assert not form.is_valid()
    assert field in form.errors


def test_a_valid_score_is_typed(plan: AIPlan) -> None:
    data = _score_data(plan, measured_value="820.5", source_url="https://bench.example/1")
    form = forms.CellScoreForm(data, plan=plan)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["measured_value"] == Decimal("820.5")
    assert form.cleaned_data["candidate"] == plan.candidates.get()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url", "\x00"])
def test_links_are_web_addresses(plan: AIPlan, url: str) -> None:
    form = forms.CellScoreForm(_score_data(plan, source_url=url), plan=plan)
    assert not form.is_valid()


def test_the_chosen_candidate_is_one_of_this_plan(plan: AIPlan, foreign_plan: AIPlan) -> None:
    for chosen in ("", "²", str(foreign_plan.candidates.get().pk), "9" * 20):
        form = forms.ChoiceForm({"chosen": chosen, "rationale": "Why not"}, plan=plan)
        assert not form.is_valid()
    form = forms.ChoiceForm({"chosen": "", "rationale": "x"}, plan=plan)
    form.is_valid()
    assert first_error(form) == "Please choose a candidate."


@pytest.mark.parametrize("value", ["²", "", "\x00", "NaN", "1e999", "9" * 20])
def test_a_gate_result_is_a_number(value: str) -> None:
    assert not forms.GateResultForm({"value": value}).is_valid()


@pytest.mark.parametrize("at", ["24/11/2026", "2026-13-01", "²", "\x00"])
def test_a_gate_result_date_is_iso(at: str) -> None:
    form = forms.GateResultForm({"value": "0.9", "at": at})
    assert not form.is_valid()
    assert first_error(form) == "The date must look like 2026-11-24."


@pytest.mark.parametrize("status", ["", "closed", "\x00"])
def test_a_failure_mode_status_is_one_of_the_three(status: str) -> None:
    form = forms.FailureModeStatusForm({"status": status})
    assert not form.is_valid()
    assert first_error(form) == "Choose open, mitigated or accepted."


@pytest.mark.parametrize(
    "row", ["gate:²", "gate:1.5", "gate:", "gate:\x00", "gate:" + "9" * 20, "nothing:1", "gate:x"]
)
def test_a_comment_is_on_the_plan_or_one_of_its_rows(plan: AIPlan, row: str) -> None:
    form = forms.CommentForm({"row": row, "text": "Hello"}, plan=plan)
    assert not form.is_valid()
    assert "row" in form.errors


def test_a_comment_on_a_row_of_another_plan_is_refused(plan: AIPlan, foreign_plan: AIPlan) -> None:
    form = forms.CommentForm(
        {"row": f"gate:{foreign_plan.gates.first().pk}", "text": "Sneaky"}, plan=plan
    )
    assert not form.is_valid()
    assert first_error(form) == forms.ROW_MESSAGE


def test_a_comment_names_its_row(plan: AIPlan) -> None:
    gate = plan.gates.first()
    form = forms.CommentForm({"row": f"gate:{gate.pk}", "text": "Hi"}, plan=plan)
    assert form.is_valid()
    assert form.cleaned_data["row"] == gate
    form = forms.CommentForm({"row": "plan:", "text": "Hi"}, plan=plan)
    assert form.is_valid()
    assert form.cleaned_data["row"] is None


# --- The views: hostile POSTs answer 422 with the message, and write nothing -------------------


def _hostile_posts(plan: AIPlan) -> dict[str, tuple[str, dict[str, str]]]:
    criterion, gate = plan.criteria.first(), plan.gates.first()
    mode = plan.failure_modes.first()
    return {
        "weight": (
            reverse("aiplan:criterion_weight", args=[plan.pk, criterion.pk]),
            {"weight": "²", "version": "1"},
        ),
        "criterion": (reverse("aiplan:criterion_add", args=[plan.pk]), {"label": "V\x00"}),
        "candidate": (reverse("aiplan:candidate_add", args=[plan.pk]), {"name": "x" * 121}),
        "score": (reverse("aiplan:cell_score", args=[plan.pk]), _score_data(plan, score="²")),
        "score_id": (
            reverse("aiplan:cell_score", args=[plan.pk]),
            _score_data(plan, candidate="9" * 20),
        ),
        "measured": (
            reverse("aiplan:cell_score", args=[plan.pk]),
            _score_data(plan, measured_value="1e999"),
        ),
        "choose": (
            reverse("aiplan:choose", args=[plan.pk]),
            {"chosen": "²", "rationale": "x", "version": "1"},
        ),
        "gate": (
            reverse("aiplan:gate_result", args=[plan.pk, gate.pk]),
            {"value": "NaN", "version": "1"},
        ),
        "mode": (
            reverse("aiplan:failure_mode_status", args=[plan.pk, mode.pk]),
            {"status": "accepted", "reason": "x\x00", "version": "²"},
        ),
        "comment": (reverse("aiplan:comment_add", args=[plan.pk]), {"row": "gate:²", "text": "x"}),
    }


def _state(plan: AIPlan) -> tuple[object, ...]:
    plan.refresh_from_db()
    return (
        plan.version,
        list(plan.criteria.values_list("weight", "version")),
        plan.candidates.count(),
        CellScore.objects.count(),
        list(plan.gates.values_list("latest_value", "version")),
        list(plan.failure_modes.values_list("status", "version")),
        PlanComment.objects.count(),
        ActivityEvent.objects.count(),
    )


@pytest.mark.parametrize(
    "name",
    [
        "weight",
        "criterion",
        "candidate",
        "score",
        "score_id",
        "measured",
        "choose",
        "gate",
        "mode",
        "comment",
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_hostile_post_answers_422_with_the_message_and_writes_nothing(
    client: Client, operator: User, plan: AIPlan, name: str, htmx: bool
) -> None:
    client.force_login(operator)
    url, data = _hostile_posts(plan)[name]
    before = _state(plan)
    reply = client.post(url, data, headers=HTMX if htmx else {})
    assert reply.status_code == 422
    assert 'class="form-error"' in reply.text or "message-error" in reply.text
    assert _state(plan) == before


def test_a_refused_plain_form_shows_the_whole_page_with_the_message(
    client: Client, operator: User, plan: AIPlan
) -> None:
    client.force_login(operator)
    url, data = _hostile_posts(plan)["weight"]
    reply = client.post(url, data)
    assert reply.status_code == 422
    assert "<html" in reply.text
    assert forms.WEIGHT_MESSAGE in reply.text
