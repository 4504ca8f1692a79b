"""cto/reports/tasks.py through a real worker: a requested report rendered through Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from cto.reports import services
from cto.reports.models import Report
from tests.celery_worker import celery_worker, wait_for
from tests.reports.conftest import text_of
from tests.reports.factories import ReportableEngagementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_requested_report_through_redis(tmp_path: Path) -> None:
    from django.conf import settings

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test sets up the Redis broker"
    engagement = ReportableEngagementFactory()
    with celery_worker(log_dir=tmp_path) as log:
        report = services.report_request(engagement=engagement, kind="week_one", by=None)
        ready = wait_for(
            lambda: Report.objects.filter(pk=report.pk, status=Report.Status.READY).exists(),
            timeout=60,
        )
        assert ready, log.read_text()
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        assert engagement.title in text_of(handle.read())
