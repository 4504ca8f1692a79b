"""bench/seed (the scale seeder, tooling outside cto/) on PostgreSQL: the sizes asked for, valid
rows, the same world from the same seed, and the dashboard's queries past demo size."""

from __future__ import annotations

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from bench.seed.__main__ import main
from bench.seed.scale import ScaleSizes, seed_scale, sizes_from
from cto.audits.models import Audit, AuditAnswer
from cto.checklists.models import Checklist, ChecklistItem
from cto.demo.seed import OPERATOR, seed_demo
from cto.engagements.models import ActivityEvent, Engagement
from cto.ops.selectors import ATTENTION_SHOWN, CLOSED_SHOWN, CLOSED_STAGES, OPEN_SHOWN
from cto.pricing.models import Quote, QuoteLine, QuoteOption
from cto.reports.models import Report
from cto.users.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

SMALL = ScaleSizes(organizations=20, engagements=200, checklist_items=2_000, audits=150)
SEEDED = (User, Organization, Membership, Engagement, ActivityEvent, Checklist, ChecklistItem)
SEEDED_AFTER = (Audit, AuditAnswer, Quote, QuoteOption, QuoteLine, Report)


def _counts() -> dict[type[models.Model], int]:
    return {model: model.objects.count() for model in (*SEEDED, *SEEDED_AFTER)}


def test_the_seeder_adds_the_sizes_asked_for_next_to_the_demo() -> None:
    seed_demo()
    before = _counts()
    report = seed_scale(sizes=SMALL)
    after = _counts()
    added = {model: after[model] - before[model] for model in after}
    assert added[Organization] == 20
    assert added[Engagement] == 200
    assert added[ChecklistItem] == 2_000
    assert added[Audit] == 150
    assert added[Membership] == 40
    assert added[Quote] == added[QuoteOption] / 3 == added[QuoteLine] / 6 > 0
    assert added[Report] > 0
    assert report.rows["engagements.Engagement"] == 200
    # The demo is still there, untouched, so the pages measured are the same pages.
    assert Engagement.objects.filter(title="AI support agent to production").exists()
    # Every stage is represented, closed work the most.
    stages = dict(Engagement.objects.values_list("stage").annotate(n=models.Count("id")).order_by())
    assert stages["completed"] > stages["lead"]
    assert len(stages) == 9


def test_seeded_rows_pass_full_clean() -> None:
    seed_demo()
    seed_scale(sizes=SMALL)
    for model in (*SEEDED, *SEEDED_AFTER):
        sample = list(model.objects.order_by("-pk")[:25])
        assert sample, model
        for row in sample:
            row.full_clean()
    # Finished items carry their date and who did them; blocked ones a reason.
    done = ChecklistItem.objects.filter(status="done").order_by("-pk").first()
    assert done is not None
    assert done.effective_date
    assert done.done_by_id
    assert not ChecklistItem.objects.filter(status="blocked", status_reason="").exists()
    failed = Report.objects.filter(status="failed").order_by("-pk")[:5]
    for row in [*Report.objects.filter(status="ready").order_by("-pk")[:5], *failed]:
        row.full_clean()


def test_quotes_and_reports_follow_the_engagements() -> None:
    seed_demo()
    demo_quotes = set(Quote.objects.values_list("pk", flat=True))
    seed_scale(sizes=SMALL)
    quotes = Quote.objects.exclude(pk__in=demo_quotes).select_related("engagement")
    by_stage: dict[str, set[str]] = {}
    for quote in quotes:
        by_stage.setdefault(quote.engagement.stage, set()).add(quote.status)
    # Sent and waiting at the proposal, accepted once the work went ahead, declined when lost.
    assert by_stage["proposal"] == {"sent"}
    assert by_stage["completed"] == by_stage["active"] == {"accepted"}
    assert by_stage["lost"] == {"declined"}
    assert not {"lead", "qualified", "audit"} & by_stage.keys()
    accepted = quotes.filter(status="accepted").first()
    assert accepted is not None
    assert accepted.accepted_option in accepted.options.all()
    assert all(option.lines.count() == 2 for option in accepted.options.all())
    # Ready week-one reports for engagements that had a week one, a few failed second versions.
    ready = Report.objects.filter(status="ready").select_related("engagement")
    assert ready.exists()
    assert all(report.engagement.start_date for report in ready)
    assert not ready.filter(sha256="").exists()
    assert Report.objects.filter(status="failed", number=2, attempts=3).count() < ready.count()


def test_seeded_rows_carry_what_the_services_keep_for_the_dashboard() -> None:
    seed_demo()
    seed_scale(sizes=SMALL)
    earliest_open = ChecklistItem.objects.open().filter(checklist=models.OuterRef("pk"))
    checklists = Checklist.objects.annotate(
        expected=models.Subquery(earliest_open.order_by("due_day").values("due_day")[:1])
    )
    assert checklists.filter(expected__isnull=False).exists()
    assert all(c.earliest_open_day == c.expected for c in checklists)
    latest_answer = AuditAnswer.objects.filter(audit=models.OuterRef("pk"))
    audits = Audit.objects.annotate(
        expected=models.Subquery(latest_answer.order_by("-updated_at").values("updated_at")[:1])
    )
    assert audits.filter(expected__isnull=False, status="open").exists()
    assert all(a.last_answered_at == a.expected for a in audits)


def test_the_same_seed_gives_the_same_world_twice() -> None:
    seed_demo()
    seed_scale(sizes=SMALL, seed=7)
    first = list(Engagement.objects.order_by("-pk").values_list("stage", "kind")[:200])
    seed_scale(sizes=SMALL, seed=7)  # a second run adds as much again, with fresh names
    second = list(Engagement.objects.order_by("-pk").values_list("stage", "kind")[:200])
    assert first == second
    assert Organization.objects.count() == 2 + 40


def test_sizes_from_scales_the_issue_sizes_and_takes_explicit_ones() -> None:
    assert sizes_from(1.0) == ScaleSizes()
    assert sizes_from(0.1, audits=5) == ScaleSizes(1_000, 10_000, 100_000, 5)


def test_the_script_prints_what_it_added(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--scale", "0.001"])
    out = capsys.readouterr().out
    assert "engagements.Engagement" in out
    assert "100 rows" in out  # 0.001 of 100k engagements


def test_the_dashboard_keeps_its_queries_and_bounds_its_lists_past_demo_size(
    django_assert_num_queries,
) -> None:
    seed_demo()
    seed_scale(sizes=ScaleSizes(organizations=30, engagements=1_500, checklist_items=6_000,
                                audits=800))  # fmt: skip
    client = Client()
    client.force_login(User.objects.get(email=OPERATOR.email))
    client.get(reverse("ops:dashboard"))  # the session's first write is not the page's
    # As at demo size (tests/ops): the user; the board (the counts, a query per stage, the
    # revenue); overdue items (with their count); audits, failed reports, quotes, stale leads.
    with django_assert_num_queries(17):
        response = client.get(reverse("ops:dashboard"))
    assert response.status_code == 200
    groups = {group.kind.value: group for group in response.context["attention"]}
    assert all(len(group.items) <= ATTENTION_SHOWN for group in groups.values())
    stale = groups["stale_lead"]  # about 60 leads, most of them quiet for days
    assert ATTENTION_SHOWN < stale.total <= Engagement.objects.filter(stage="lead").count()
    assert stale.more == stale.total - ATTENTION_SHOWN
    assert f"and {stale.more} more" in response.text
    for column in response.context["board"].columns:
        limit = CLOSED_SHOWN if column.stage in CLOSED_STAGES else OPEN_SHOWN
        assert len(column.engagements) == min(limit, column.count)
        assert column.count == Engagement.objects.filter(stage=column.stage).count()
