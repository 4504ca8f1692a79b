"""Every write of the reports: request one (snapshot now, render later), render it (in a
worker), record each download."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record
from cto.reports import pdf, snapshot
from cto.reports.models import Report
from cto.users.models import User

MAX_ATTEMPTS = 3


@transaction.atomic
def report_request(*, engagement: Engagement, kind: str, by: User | None) -> Report:
    """Take the snapshot now and queue the rendering for a worker, after commit."""
    Engagement.objects.select_for_update().get(pk=engagement.pk)  # numbers one at a time
    number = (
        Report.objects.filter(engagement=engagement, kind=kind).aggregate(top=Max("number"))["top"]
        or 0
    ) + 1
    data = snapshot.gather(kind=kind, engagement=engagement, generator=pdf.GENERATOR)
    report = Report.objects.create(
        engagement=engagement,
        kind=kind,
        number=number,
        snapshot=data,
        snapshot_sha256=snapshot.digest(data),
        generator=pdf.GENERATOR,
        requested_by=by,
    )
    activity_record(
        engagement=engagement,
        actor=by,
        verb=ActivityEvent.Verb.REPORT_CHANGED,
        target=report,
        data={"change": f"{report.get_kind_display()} v{number} requested"},
    )
    from cto.reports.tasks import render_report  # tasks import this module

    render_report.delay_on_commit(report.pk)  # type: ignore[attr-defined]  # DjangoTask adds it
    return report


def report_html(report: Report) -> str:
    return render_to_string(
        f"reports/pdf/{report.kind}.html", {"s": report.snapshot, "report": report}
    )


def report_render(*, report_id: int) -> Report | None:
    """Render a queued report once: the row is claimed under a lock, so two deliveries of the
    task make one file. A report whose rendering keeps failing stops after three attempts."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (Report.Status.READY, Report.Status.FAILED):
            return report
        report.status = Report.Status.RENDERING
        report.attempts += 1
        report.save(update_fields=["status", "attempts", "updated_at"])
    try:
        rendered = pdf.render(report_html(report))
    except Exception as error:  # a report that cannot render must end failed, not loop
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            report.error = f"{type(error).__name__}: {error}"[:2000]
            report.status = (
                Report.Status.FAILED if report.attempts >= MAX_ATTEMPTS else Report.Status.QUEUED
            )
            report.save(update_fields=["error", "status", "updated_at"])
        raise
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.READY:
            return report
        report.file.save(report.filename, ContentFile(rendered.pdf), save=False)
        report.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
        report.pages, report.bytes, report.render_ms = (
            rendered.pages,
            len(rendered.pdf),
            rendered.milliseconds,
        )
        report.status, report.error = Report.Status.READY, ""
        report.save()
        activity_record(
            engagement=report.engagement,
            actor=None,
            verb=ActivityEvent.Verb.REPORT_CHANGED,
            target=report,
            data={"change": f"v{report.number} ready ({report.pages} pages)"},
        )
    return report


def report_downloaded(*, report: Report, by: User) -> None:
    activity_record(
        engagement=report.engagement,
        actor=by,
        verb=ActivityEvent.Verb.REPORT_CHANGED,
        target=report,
        data={"change": f"{report.get_kind_display()} v{report.number} downloaded"},
    )
