"""cto/demo/seed.py and its seed_demo command on PostgreSQL: idempotent, working logins, several
stages."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

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
    # Two locked audits, the second better: the comparison has something to show; then a
    # third, open, for the client to answer.
    first, second, third = audited.audits.order_by("number")
    assert (first.status, second.status, third.status) == ("locked", "locked", "open")
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


def test_the_demo_client_can_sign_in_and_answer_the_open_audit() -> None:
    seed_demo()
    engagement = Engagement.objects.get(title="AI support agent to production")
    audit = engagement.audits.get(status="open")
    answered = set(audit.answers.values_list("question", flat=True))
    assert 0 < len(answered) < len(audit.template_version.parsed().questions)  # in progress
    question = next(q for q in audit.template_version.parsed().questions if q not in answered)
    login = next(login for login, name, _ in CLIENTS if name == engagement.contact.name)
    client = Client()
    assert client.login(email=login.email, password=login.password)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200

    response = client.post(
        reverse("audits:answer", args=[audit.pk, question]), {"value": "2", "version": ""}
    )

    assert response.status_code in (302, 303)
    assert audit.answers.get(question=question).level == 2


def test_the_demo_plan_names_owners_and_writes_the_mitigation_of_what_blocks_production() -> None:
    seed_demo()
    plan = Engagement.objects.get(title="AI support agent to production").ai_plan
    people = {"Olivia Operator", *(name for _, name, _ in CLIENTS)}
    modes = list(plan.failure_modes.all())
    assert {mode.owner for mode in modes} <= people
    assert all(mode.mitigation and mode.detection for mode in modes)
    blocking = [mode for mode in modes if mode.blocks_production]
    assert len(blocking) >= 3
    assert {mode.status for mode in blocking} == {"open", "mitigated"}  # one dealt with
    assert all(mode.status_reason for mode in blocking if mode.status == "mitigated")
    assert {gate.owner for gate in plan.gates.all()} <= people
    checklist = Engagement.objects.get(title="Platform modernisation").checklist
    assert not checklist.items.filter(owner=None).exists()


def test_the_demo_client_has_proposed_a_failure_mode_an_operator_can_confirm() -> None:
    seed_demo()
    plan = Engagement.objects.get(title="AI support agent to production").ai_plan
    proposal = plan.failure_mode_proposals.get()
    assert (proposal.status, proposal.proposed_by.email) == ("proposed", CLIENTS[0][0].email)
    assert "retired" in proposal.evidence


def test_the_demo_gates_are_decided_by_receipts_or_marked_as_claims() -> None:
    seed_demo()
    plan = Engagement.objects.get(title="AI support agent to production").ai_plan
    golden, latency = plan.gates.get(key="golden_set"), plan.gates.get(key="latency_p95")
    assert (golden.verdict, golden.verdict_source) == ("pass", "receipt")
    assert (latency.verdict, latency.verdict_source) == ("pass", "receipt")
    assert plan.receipts.filter(kind="trace", gate=None).count() == 1  # the plan's first trace
    tools = plan.gates.get(name="Tool calls are valid and permitted")
    assert (tools.verdict, tools.verdict_source, tools.latest_note) == (
        "fail",
        "claim",
        "Ada's nightly run, not sent",
    )
