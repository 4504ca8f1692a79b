"""cto/reports/services.py on PostgreSQL: requests refused before anything is written, budgets
that end in a message, rendering once, retries, the sweeper, the ready email, and what a
rendered week-one report holds."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import psycopg
import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.core import locks
from cto.engagements.models import Engagement
from cto.reports import services
from cto.reports.models import Report
from cto.users.models import User
from tests.celery_worker import database_url_of_the_tests, wait_for
from tests.reports.conftest import _request, reader_of, rendered, request, text_of

pytestmark = pytest.mark.django_db


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
    with psycopg.connect(database_url_of_the_tests(), autocommit=True) as other:
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


def test_the_week_one_report_holds_the_engagements_own_data(
    ai_engagement: Engagement, operator: User
) -> None:
    report = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    data = rendered(report)
    report.refresh_from_db()
    text = text_of(data)
    assert ai_engagement.title in text
    assert ai_engagement.organization.name in text
    assert "Readiness" in text
    assert "50.0" in text  # the second audit's overall score: every answer 2 of 4
    assert "Models, evals and failure modes" in text
    assert "Large model A" in text
    assert "The proposal" in text
    assert "The week-one checklist" not in text  # no checklist yet: no such section
    assert "ai-readiness v1 (Published)" in text  # provenance: the template version
    assert report.snapshot_sha256 in text.replace("\n", "")
    assert f"Page 1 of {report.pages}" in text
    metadata = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert metadata.title == f"Week-one deliverable: {ai_engagement.title}"
    assert metadata.author == "cto"
    assert (report.bytes, report.pages) == (len(data), len(pypdf.PdfReader(io.BytesIO(data)).pages))


def test_rendering_twice_makes_one_file(ai_engagement: Engagement, operator: User) -> None:
    report = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    rendered(report)
    report.refresh_from_db()
    name = report.file.name
    again = services.report_render(report_id=report.pk)
    assert again is not None
    assert (again.file.name, again.attempts) == (name, 1)


def test_hostile_text_is_printed_not_fetched(
    ai_engagement: Engagement, operator: User, spy: list[str]
) -> None:
    port = spy[0].removeprefix("port:")
    hostile = (
        f'<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
        f'<style>@import url("http://127.0.0.1:{port}/b.css");</style>'
    )
    Engagement.objects.filter(pk=ai_engagement.pk).update(title=hostile[:200])
    report = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    text = text_of(rendered(report))
    assert spy == [f"port:{port}"]  # not one request reached the spy
    assert "root:" not in text
    assert "<img src=" in text.replace("\n", "")  # printed as text


# --- Through the worker's path --------------------------------------------------------------------


def test_a_new_kind_renders_through_the_service(ai_engagement: Engagement, operator: User) -> None:
    report = request(ai_engagement, "audit", by=operator)
    done = services.report_render(report_id=report.pk)
    assert done is not None
    assert done.status == Report.Status.READY, done.error
    with done.file.open("rb") as handle:
        data = handle.read()
    text = text_of(data)
    assert "Readiness audit report" in text
    assert ai_engagement.organization.name in text
    # The row records the file's own page count; how many there are is test_layout's concern.
    assert done.pages == len(reader_of(data).pages) > 1
