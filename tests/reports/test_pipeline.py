"""The reports' pipeline on PostgreSQL: refusals that write nothing, budgets that end in a
message, retries, the sweeper, the ready email, the htmx card, the prospect's intake summary,
the command that renders to a file, and the admin actions."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import psycopg
import pypdf
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.core import locks
from cto.engagements.models import ActivityEvent, Engagement
from cto.intake.models import TreeVersion
from cto.reports import services
from cto.reports.models import Report
from cto.users.models import Organization, User
from tests.celery_worker import test_database_url, wait_for
from tests.intake.test_views import CONTACT, walk_to_result
from tests.intake.test_views import version as version  # the fixture, for the intake tests
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _request(engagement: Engagement, by: User | None = None) -> Report:
    return services.report_request(engagement=engagement, kind="week_one", by=by)


def test_an_unknown_kind_is_refused_and_nothing_is_written(
    ai_engagement: Engagement, operator: User
) -> None:
    with pytest.raises(ValidationError, match="no report of the kind"):
        services.report_request(engagement=ai_engagement, kind="memo", by=operator)
    assert not Report.objects.exists()


def test_content_over_the_budget_is_refused_at_the_request(
    ai_engagement: Engagement, operator: User, settings: Settings
) -> None:
    settings.REPORT_MAX_HTML_BYTES = 10_000
    events = ai_engagement.events.count()
    with pytest.raises(ValidationError, match="more than one report may hold"):
        _request(ai_engagement, operator)
    assert not Report.objects.exists()
    assert ai_engagement.events.count() == events


def test_a_layout_over_the_page_budget_fails_with_a_message(
    ai_engagement: Engagement, operator: User, settings: Settings
) -> None:
    report = _request(ai_engagement, operator)
    settings.REPORT_MAX_PAGES = 2
    report = services.report_render(report_id=report.pk)
    assert report is not None
    assert (report.status, report.attempts, report.file.name) == ("failed", 1, "")
    assert "more than the 2 one report may have" in report.error


def test_a_fault_of_the_template_fails_at_once_with_its_message(
    ai_engagement: Engagement, operator: User
) -> None:
    report = _request(ai_engagement, operator)
    Report.objects.filter(pk=report.pk).update(kind="no_such_kind")
    report = services.report_render(report_id=report.pk)
    assert report is not None
    assert (report.status, report.attempts) == ("failed", 1)
    assert "TemplateDoesNotExist" in report.error
    assert services.report_render(report_id=report.pk).attempts == 1  # never claimed again


def test_a_report_whose_worker_was_lost_three_times_ends_failed(
    ai_engagement: Engagement, operator: User
) -> None:
    report = _request(ai_engagement, operator)
    # Three claims that never finished: each time the worker died mid-render.
    Report.objects.filter(pk=report.pk).update(status="rendering", attempts=3)
    report = services.report_render(report_id=report.pk)
    assert report is not None
    assert (report.status, report.attempts) == ("failed", 3)
    assert "stopped 3 times" in report.error
    assert ai_engagement.events.filter(data__change="v1 failed").count() == 1


def test_a_file_left_by_an_attempt_killed_before_its_commit_is_replaced_not_orphaned(
    ai_engagement: Engagement, operator: User
) -> None:
    report = _request(ai_engagement, operator)
    # The killed attempt wrote its file, then died before its transaction committed: the row
    # names no file, and the file sits under the name every attempt of this report writes.
    name = Report.file.field.generate_filename(report, report.filename)
    storage = Report.file.field.storage
    leftover = storage.save(name, io.BytesIO(b"half of a killed attempt"))
    assert leftover == name
    Report.objects.filter(pk=report.pk).update(status="rendering", attempts=1)

    report = services.report_render(report_id=report.pk)

    assert report is not None
    assert (report.status, report.attempts, report.file.name) == ("ready", 2, name)
    _, files = storage.listdir(str(Path(name).parent))
    assert files == [Path(name).name]  # one file for the one report: nothing orphaned
    with storage.open(name) as stored:
        assert stored.read(5) == b"%PDF-"
    assert report.bytes == storage.size(name)


def test_a_delivery_leaves_a_report_another_live_process_renders_alone(
    ai_engagement: Engagement, operator: User
) -> None:
    report = _request(ai_engagement, operator)
    # Another worker process, mid-render: it holds the report's lock on its own connection.
    with psycopg.connect(test_database_url(), autocommit=True) as other:
        other.execute(
            "SELECT pg_advisory_lock(%s, %s)", [locks._namespace("reports.render"), report.pk]
        )
        left = services.report_render(report_id=report.pk)
        assert left is not None
        assert (left.status, left.attempts) == ("queued", 0)  # not rendered, not charged
    # That process is gone: the server drops its lock as it ends the closed connection's
    # session (a moment after the close), and the next delivery renders.
    assert wait_for(lambda: not _advisory_locks(report.pk), timeout=10)
    rendered = services.report_render(report_id=report.pk)
    assert rendered is not None
    assert (rendered.status, rendered.attempts) == ("ready", 1)


def _advisory_locks(key: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [key]
        )
        return int(cursor.fetchone()[0])


def test_a_failed_report_is_retried_from_its_snapshot(
    ai_engagement: Engagement, operator: User
) -> None:
    report = _request(ai_engagement, operator)
    Report.objects.filter(pk=report.pk).update(status="failed", attempts=3, error="lost")
    with pytest.raises(ValidationError, match="Only a failed report"):
        services.report_retry(report=_request(ai_engagement, operator), by=operator)
    retried = services.report_retry(report=report, by=operator)
    assert (retried.status, retried.attempts, retried.error) == ("queued", 0, "")
    assert retried.snapshot_sha256 == report.snapshot_sha256
    assert services.report_render(report_id=report.pk).status == "ready"


def test_the_sweeper_queues_again_only_what_is_stuck(
    ai_engagement: Engagement, operator: User
) -> None:
    stuck_queued, stuck_rendering, fresh, ready = (
        _request(ai_engagement, operator) for _ in range(4)
    )
    services.report_render(report_id=ready.pk)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Report.objects.filter(pk=stuck_queued.pk).update(updated_at=long_ago)
    Report.objects.filter(pk=stuck_rendering.pk).update(status="rendering", updated_at=long_ago)
    Report.objects.filter(pk=ready.pk).update(updated_at=long_ago)
    assert sorted(services.reports_sweep()) == sorted([stuck_queued.pk, stuck_rendering.pk])
    assert services.reports_sweep() == []  # stamped: not again until the next deadline
    later = timezone.now() + datetime.timedelta(hours=1)
    assert sorted(services.reports_sweep(now=later)) == sorted(
        [stuck_queued.pk, stuck_rendering.pk, fresh.pk]
    )


def test_the_requester_hears_once_that_the_report_is_ready(
    ai_engagement: Engagement, operator: User, mailoutbox: list
) -> None:
    report = _request(ai_engagement, operator)
    assert services.report_ready_notify(report_id=report.pk) is False  # not ready yet
    services.report_render(report_id=report.pk)
    assert services.report_ready_notify(report_id=report.pk) is True
    assert services.report_ready_notify(report_id=report.pk) is False  # a redelivered task
    (message,) = mailoutbox
    assert message.to == [operator.email]
    assert message.subject.endswith("week-one deliverable v1 is ready")
    assert report.get_download_url() in message.body


def test_the_card_polls_while_a_version_renders_and_stops_when_ready(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    member = ai_engagement.organization.members.first()
    client.force_login(member)
    url = reverse("reports:card", args=[ai_engagement.pk])
    report = _request(ai_engagement, operator)
    page = client.get(url, headers=HTMX).text
    assert 'hx-trigger="every 2s"' in page
    assert "Queued" in page
    assert "Generate a new version" not in page  # clients download, operators generate
    report = services.report_render(report_id=report.pk)
    page = client.get(url, headers=HTMX).text
    assert "every 2s" not in page
    assert report.get_download_url() in page
    assert f"{report.pages} pages" in page


def test_the_card_shows_a_failure_with_its_message_and_a_retry_for_operators(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    report = _request(ai_engagement, operator)
    Report.objects.filter(pk=report.pk).update(status="failed", error="Rendering took too long.")
    client.force_login(operator)
    page = client.get(reverse("reports:card", args=[ai_engagement.pk]), headers=HTMX).text
    assert "Rendering took too long." in page
    assert reverse("reports:retry", args=[report.pk]) in page
    reply = client.post(reverse("reports:retry", args=[report.pk]), headers=HTMX)
    assert reply.status_code == 200
    assert 'hx-trigger="every 2s"' in reply.text
    again = client.post(reverse("reports:retry", args=[report.pk]), headers=HTMX)
    assert again.status_code == 409
    assert "Only a failed report can be retried." in again.text


def test_generating_through_htmx_answers_with_the_card(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    client.force_login(operator)
    url = reverse("reports:generate", args=[ai_engagement.pk])
    reply = client.post(url, {"kind": "audit"}, headers=HTMX)
    assert reply.status_code == 200
    assert "Readiness audit report v1" in reply.text
    refused = client.post(url, {"kind": "memo"}, headers=HTMX)
    assert refused.status_code == 422
    assert "There is no report of the kind" in refused.text
    assert Report.objects.count() == 1


def test_generating_for_an_engagement_without_the_input_says_what_is_missing(
    client: Client, engagement: Engagement, operator: User
) -> None:
    client.force_login(operator)
    reply = client.post(
        reverse("reports:generate", args=[engagement.pk]), {"kind": "audit"}, headers=HTMX
    )
    assert reply.status_code == 422
    assert "audit" in reply.text.lower()
    assert not Report.objects.exists()


def test_the_engagement_page_shows_every_version_and_polls_while_one_renders(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    # (Its query count, card included, is pinned in tests/engagements/test_views.py.)
    for _ in range(3):
        _request(ai_engagement, operator)
    client.force_login(operator)
    reply = client.get(ai_engagement.get_absolute_url())
    assert reply.status_code == 200
    assert "Week-one deliverable v3" in reply.text
    assert 'hx-trigger="every 2s"' in reply.text


def test_a_prospect_downloads_their_intake_summary_from_the_thanks_page(
    client: Client, version: TreeVersion
) -> None:
    walk_to_result(client, version)
    client.post(reverse("intake:result"), CONTACT)
    report = Report.objects.get(kind="intake_summary")
    page = client.get(reverse("intake:thanks")).text
    assert "Preparing a PDF" in page
    assert reverse("intake_summary") in page  # polled until ready
    assert client.get(reverse("intake_summary_download")).status_code == 404  # not yet
    services.report_render(report_id=report.pk)
    card = client.get(reverse("intake_summary"), headers=HTMX).text
    assert "every 2s" not in card
    reply = client.get(reverse("intake_summary_download"))
    assert reply.status_code == 200
    assert reply["Cache-Control"] == "private, no-store"
    data = b"".join(reply.streaming_content)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) <= 2
    # Another browser, with no intake of its own, gets nothing.
    assert Client().get(reverse("intake_summary_download")).status_code == 404
    assert "Your summary" not in Client().get(reverse("intake:thanks")).text


def test_render_report_writes_a_file_and_records_nothing(
    ai_engagement: Engagement, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "week-one.pdf"
    events = ai_engagement.events.count()
    call_command(
        "render_report", str(ai_engagement.pk), "--kind", "week_one", "--output", str(target)
    )
    printed = capsys.readouterr().out
    pages = len(pypdf.PdfReader(target).pages)
    assert f"{pages} pages, {target.stat().st_size} bytes" in printed
    assert " ms rendering" in printed
    assert not Report.objects.exists()
    assert ai_engagement.events.count() == events
    with pytest.raises(CommandError, match="no engagement 999999"):
        call_command("render_report", "999999", "--output", str(target))


def test_admin_actions_generate_and_retry_through_the_services(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    client.force_login(operator)
    client.post(
        reverse("admin:engagements_engagement_changelist"),
        {"action": "generate_week_one", ACTION_CHECKBOX_NAME: [ai_engagement.pk]},
    )
    report = Report.objects.get()
    assert (report.kind, report.requested_by) == ("week_one", operator)
    Report.objects.filter(pk=report.pk).update(status="failed", attempts=3)
    client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "retry", ACTION_CHECKBOX_NAME: [report.pk]},
    )
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("queued", 0)
    assert ai_engagement.events.filter(
        verb=ActivityEvent.Verb.REPORT_CHANGED, data__change="Week-one deliverable v1 retried"
    ).exists()


def test_clients_cannot_generate_or_retry(
    client: Client, ai_engagement: Engagement, operator: User, other_organization: Organization
) -> None:
    report = _request(ai_engagement, operator)
    Report.objects.filter(pk=report.pk).update(status="failed")
    client.force_login(ai_engagement.organization.members.first())
    assert client.post(reverse("reports:generate", args=[ai_engagement.pk])).status_code == 302
    assert client.post(reverse("reports:retry", args=[report.pk])).status_code == 302
    client.force_login(MembershipFactory(organization=other_organization).user)
    assert client.get(reverse("reports:card", args=[ai_engagement.pk])).status_code == 404
    assert Report.objects.get().status == "failed"
