"""The answer form refuses hostile values with a message, and the answer view answers a hostile
POST with that message and 422 (the question for htmx, the page otherwise), writing nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cto.audits import services
from cto.audits.forms import LEVEL_MESSAGE, AnswerForm
from cto.audits.models import Audit, AuditAnswer
from cto.core.forms import first_error
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.audits.factories import small_template
from tests.audits.test_services import publish

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "value", ["²", "1.5", "", "\x00", "NaN", "Infinity", "1e999", "9" * 20, "5", "-1", "NA"]
)
def test_a_level_is_0_to_4_or_not_applicable(value: str) -> None:
    form = AnswerForm({"value": value})
    assert not form.is_valid()
    assert first_error(form) == LEVEL_MESSAGE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "x\x00y"}, "Null characters are not allowed."),
        ({"note": "n" * 4001}, "under 4000 characters"),
        ({"evidence_url": "javascript:alert(1)"}, "https://"),
        ({"evidence_url": "https://x.example/" + "a" * 500}, "too long"),
        ({"version": "²"}, "out of date"),
        ({"version": "9" * 20}, "out of date"),
    ],
)
def test_a_note_link_and_version_are_checked(data: dict[str, str], message: str) -> None:
    form = AnswerForm({"value": "2"} | data)
    assert not form.is_valid()
    assert message in first_error(form)


def test_an_answer_is_typed() -> None:
    form = AnswerForm({"value": "3", "note": " ok ", "evidence_url": "", "version": "2"})
    assert form.is_valid()
    assert form.cleaned_data == {"value": 3, "note": "ok", "evidence_url": "", "version": 2}
    form = AnswerForm({"value": "na"})
    assert form.is_valid()
    assert form.cleaned_data["value"] is None


# --- The view ---------------------------------------------------------------------------------


@pytest.fixture
def audit(engagement: Engagement, operator: User) -> Audit:
    publish(small_template(slug=services.TEMPLATE_SLUG))
    return services.audit_open(engagement=engagement, by=operator)


@pytest.mark.parametrize(
    "data",
    [
        {"value": "²"},
        {"value": "9" * 20},
        {"value": "2", "version": "²"},
        {"value": "2", "note": "\x00"},
        {"value": "2", "evidence_url": "javascript:alert(1)"},
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_hostile_answer_answers_422_and_writes_nothing(
    client: Client, client_user: User, audit: Audit, data: dict[str, str], htmx: bool
) -> None:
    client.force_login(client_user)
    before = Audit.objects.values_list("updated_at", "last_answered_at").get(pk=audit.pk)
    reply = client.post(
        reverse("audits:answer", args=[audit.pk, "e1"]), data, headers=HTMX if htmx else {}
    )
    assert reply.status_code == 422
    assert ('class="form-error"' if htmx else "message-error") in reply.text
    assert not AuditAnswer.objects.exists()
    assert Audit.objects.values_list("updated_at", "last_answered_at").get(pk=audit.pk) == before
