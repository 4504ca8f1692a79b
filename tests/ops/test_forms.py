"""The stage-advance form refuses hostile values with a message, and the view answers a hostile
POST with the card, that message and 422, moving nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cto.core.forms import first_error
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.ops.forms import AdvanceForm
from cto.users.models import User

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("to", ["", "won", "\x00", "²", "QUALIFIED"])
def test_the_target_is_a_stage(to: str) -> None:
    form = AdvanceForm({"to": to})
    assert not form.is_valid()
    assert "to" in form.errors


@pytest.mark.parametrize("version", ["²", "1.5", "\x00", "NaN", "Infinity", "1e999", "9" * 20])
def test_the_version_is_one_a_card_could_show(version: str) -> None:
    form = AdvanceForm({"to": "qualified", "version": version})
    assert not form.is_valid()
    assert "out of date" in first_error(form)


def test_a_move_is_typed() -> None:
    form = AdvanceForm({"to": "qualified", "version": "3"})
    assert form.is_valid()
    assert form.cleaned_data == {"to": Stage.QUALIFIED, "version": 3}
    form = AdvanceForm({"to": "qualified", "version": ""})
    assert form.is_valid()
    assert form.cleaned_data["version"] is None


@pytest.mark.parametrize(
    "data",
    [
        {"to": "qualified", "version": "²"},
        {"to": "qualified", "version": "9" * 20},
        {"to": "qualified\x00"},
        {"to": ""},
    ],
)
def test_a_hostile_advance_answers_422_and_moves_nothing(
    client: Client, operator: User, engagement: Engagement, data: dict[str, str]
) -> None:
    client.force_login(operator)
    before = engagement.version
    reply = client.post(reverse("ops:advance", args=[engagement.pk]), data, headers=HTMX)
    assert reply.status_code == 422
    assert 'class="form-error"' in reply.text
    engagement.refresh_from_db()
    assert (engagement.stage, engagement.version) == (Stage.LEAD, before)
    assert not ActivityEvent.objects.filter(engagement=engagement).exists()


def test_a_hostile_plain_advance_says_why_on_the_dashboard(
    client: Client, operator: User, engagement: Engagement
) -> None:
    client.force_login(operator)
    reply = client.post(
        reverse("ops:advance", args=[engagement.pk]),
        {"to": "qualified", "version": "²"},
        follow=True,
    )
    assert reply.status_code == 200
    assert "out of date" in reply.text
    engagement.refresh_from_db()
    assert engagement.stage == Stage.LEAD
