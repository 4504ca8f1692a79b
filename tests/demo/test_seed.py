"""cto/demo/seed.py and its seed_demo command on PostgreSQL: idempotent, working logins, several
stages."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from cto.demo.seed import CLIENTS, OPERATOR, seed_demo
from cto.engagements.models import Engagement

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"users", "engagements", "account"}
    }


def test_seed_demo_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    first = _row_counts()
    versions = dict(Engagement.objects.values_list("pk", "version"))
    call_command("seed_demo")
    assert _row_counts() == first
    assert dict(Engagement.objects.values_list("pk", "version")) == versions
    assert first["engagements.Engagement"] == 4
    assert first["users.Organization"] == 2


def test_seed_demo_prints_working_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    out = capsys.readouterr().out
    for login in (OPERATOR, *(login for login, _, _ in CLIENTS)):
        assert login.email in out
        assert login.password in out
        client = Client()
        assert client.login(email=login.email, password=login.password)


def test_seed_demo_has_engagements_in_several_stages() -> None:
    call_command("seed_demo")
    stages = set(Engagement.objects.values_list("stage", flat=True))
    assert len(stages) >= 3
    # Built through the services: every move is on the timeline.
    audited = Engagement.objects.get(stage="audit")
    assert list(audited.events.order_by("id").values_list("verb", flat=True))[:7] == [
        "engagement.created",
        "engagement.stage_changed",
        "engagement.stage_changed",
        "audit.opened",
        "audit.locked",
        "audit.opened",
        "audit.locked",
    ]
    # Two locked audits, the second better: the comparison has something to show.
    first, second = audited.audits.order_by("number")
    assert (first.status, second.status) == ("locked", "locked")
    # The AI plan: four candidates, six gates with one failing, eight failure modes.
    plan = audited.ai_plan
    assert (plan.candidates.count(), plan.gates.count(), plan.failure_modes.count()) == (4, 6, 8)
    assert [gate.verdict for gate in plan.gates.all()].count("fail") == 1


def test_demo_operator_can_sign_in_through_the_login_form() -> None:
    call_command("seed_demo")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": OPERATOR.email, "password": OPERATOR.password}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_demo_reports_carry_the_practices_text_and_the_week_one_is_final(db: None) -> None:
    seed_demo()
    engagement = Engagement.objects.get(title="AI support agent to production")
    assert set(engagement.narratives.values_list("kind", flat=True)) == {
        "week_one",
        "audit",
        "quote",
    }
    report = engagement.reports.get(kind="week_one")
    assert report.release == "final"
    assert report.snapshot["narrative"]["summary"].startswith("<p>The support agent is close")
    assert len(report.snapshot["narrative"]["next_steps"]) == 4
    seed_demo()  # idempotent: nothing written twice
    assert engagement.narratives.get(kind="week_one").version == 1
