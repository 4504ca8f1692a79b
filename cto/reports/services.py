"""Every write of the reports: request one (snapshot now, render later), render it (in a
worker), retry a failed one, queue again those whose worker died, tell the requester it is
ready, record each download."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from cto.core.locks import held_by_this_process
from cto.core.queue import publish, publish_on_commit
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record
from cto.reports import pdf, snapshot
from cto.reports.models import Report
from cto.users.models import User

logger = logging.getLogger(__name__)

# A report is claimed this many times at most: one whose rendering keeps killing its worker
# (a redelivered message each time) ends failed instead of taking workers down forever.
MAX_ATTEMPTS = 3


def _time_limits() -> dict[str, Any]:
    """The rendering's budget. Celery sends time limits with each message, so they are read
    here, when the report is queued, rather than once when the task module is imported."""
    return {
        "soft_time_limit": settings.REPORT_RENDER_SECONDS,
        "time_limit": settings.REPORT_RENDER_SECONDS + 30,
    }


def _enqueue(report: Report) -> None:
    from cto.reports.tasks import render_report  # the tasks module imports this one

    publish_on_commit(
        render_report,
        (report.pk,),
        lost="The report stays queued; the sweeper queues it again after its deadline.",
        **_time_limits(),
    )


def _check_kind(kind: str) -> None:
    if kind not in Report.Kind.values:
        raise ValidationError(f"There is no report of the kind “{kind[:40]}”.")


def _record(report: Report, *, by: User | None, step: str, change: str) -> None:
    """A timeline event of the report: ``step`` (requested, retried, failed, ready, downloaded)
    for code that reacts to it, ``change`` in words for people."""
    activity_record(
        engagement=report.engagement,
        actor=by,
        verb=ActivityEvent.Verb.REPORT_CHANGED,
        target=report,
        data={"step": step, "change": change},
    )


def _check_release(kind: str, release: str) -> None:
    if release not in Report.Release.values:
        raise ValidationError("A version is either a draft for review or final, for the client.")
    if release == Report.Release.AUTOMATIC and kind != Report.Kind.INTAKE_SUMMARY:
        raise ValidationError("Only the intake summary is prepared automatically.")


@transaction.atomic
def report_request(
    *,
    engagement: Engagement,
    kind: Report.Kind,
    by: User | None,
    release: Report.Release = Report.Release.DRAFT,
) -> Report:
    """Take the snapshot now, the operator's text included, and queue the rendering for a
    worker, after commit. A draft is seen by operators only; a final goes to the client.

    Refused with a message (and nothing written) when the kind is unknown, its inputs do not
    exist yet, they are more than one report may hold, or a final is asked for before the
    practice has written its summary."""
    _check_kind(kind)
    _check_release(kind, release)
    Engagement.objects.select_for_update().get(pk=engagement.pk)  # numbers one at a time
    data = snapshot.gather(
        kind=kind, engagement=engagement, generator=pdf.GENERATOR, release=release
    )
    if release == Report.Release.FINAL and not data["narrative"]["summary"]:
        raise ValidationError(
            "A final version needs the practice's summary, and this report has none yet: "
            "write it first (“Write the report text”), or ask for a draft for review."
        )
    size = len(json.dumps(data, ensure_ascii=False).encode())
    if size > settings.REPORT_MAX_HTML_BYTES:
        raise ValidationError(
            f"This engagement's content is {size / 1_048_576:.1f} MB, more than one report may "
            f"hold ({settings.REPORT_MAX_HTML_BYTES / 1_048_576:.1f} MB): shorten the longest "
            "answers, notes or evidence first."
        )
    number = (
        Report.objects.filter(engagement=engagement, kind=kind).aggregate(top=Max("number"))["top"]
        or 0
    ) + 1
    report = Report.objects.create(
        engagement=engagement,
        kind=kind,
        number=number,
        release=release,
        snapshot=data,
        snapshot_sha256=snapshot.digest(data),
        generator=pdf.GENERATOR,
        requested_by=by,
    )
    label = {Report.Release.DRAFT: "draft", Report.Release.FINAL: "final"}.get(release)
    _record(
        report,
        by=by,
        step="requested",
        change=f"{report.get_kind_display()} v{number} requested"
        + (f" ({label})" if label else ""),
    )
    _enqueue(report)
    return report


@transaction.atomic
def report_retry(*, report: Report, by: User) -> Report:
    """Queue a failed report again, from the same snapshot, with its attempts counted anew."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.FAILED:
        raise ValidationError("Only a failed report can be retried.")
    report.status, report.attempts, report.error = Report.Status.QUEUED, 0, ""
    report.save(update_fields=["status", "attempts", "error", "updated_at"])
    _record(
        report,
        by=by,
        step="retried",
        change=f"{report.get_kind_display()} v{report.number} retried",
    )
    _enqueue(report)
    return report


def report_html(report: Report) -> str:
    return render_to_string(
        f"reports/pdf/{report.kind}.html", {"s": report.snapshot, "report": report}
    )


def _claim(report_id: int) -> Report | None:
    """Mark the report rendering and count the attempt; None when there is nothing to do."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (Report.Status.READY, Report.Status.FAILED):
            return None
        if report.attempts >= MAX_ATTEMPTS:
            report.status = Report.Status.FAILED
            report.error = (
                f"Rendering stopped {report.attempts} times without finishing (the worker was "
                "lost each time). Retry it once the cause is fixed."
            )
            report.save(update_fields=["status", "error", "updated_at"])
            _record(report, by=None, step="failed", change=f"v{report.number} failed")
            return None
        report.status = Report.Status.RENDERING
        report.attempts += 1
        report.save(update_fields=["status", "attempts", "updated_at"])
        return report


def _fail(report_id: int, message: str, *, final: bool = True) -> None:
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.READY:
            return
        final = final or report.attempts >= MAX_ATTEMPTS
        report.error = message[:2000]
        report.status = Report.Status.FAILED if final else Report.Status.QUEUED
        report.save(update_fields=["error", "status", "updated_at"])
        if final:
            _record(report, by=None, step="failed", change=f"v{report.number} failed")


def report_render(*, report_id: int, time_budget: float | None = None) -> Report | None:
    """Render a queued report once. The row is claimed under a lock, so two deliveries of the
    task make one file and one ready record; and a delivery that finds another live process
    rendering the report leaves it to that one (a report the sweeper queued again while it
    waited in a long queue is not rendered twice at once, nor charged a second attempt). A
    process killed mid-render holds nothing: its redelivery renders.

    Content over budget, a rendering past the time limit, or a fault of the template end the
    report `failed` with the message, at once: trying again would give the same. A database
    error is transient: the report goes back to `queued` and the error is raised for the task
    to retry with backoff."""
    with held_by_this_process("reports.render", report_id) as ours:
        if not ours:
            return Report.objects.filter(pk=report_id).first()
        return _render_claimed(report_id, time_budget)


def _render_claimed(report_id: int, time_budget: float | None) -> Report | None:
    claimed = _claim(report_id)
    if claimed is None:
        return Report.objects.filter(pk=report_id).first()
    try:
        rendered = pdf.render(report_html(claimed))
    except pdf.OverBudget as error:
        _fail(report_id, str(error))
        return Report.objects.get(pk=report_id)
    except SoftTimeLimitExceeded:
        budget = time_budget or settings.REPORT_RENDER_SECONDS
        _fail(
            report_id,
            f"Rendering took longer than the {budget:g} s one report may take; it was stopped.",
        )
        return Report.objects.get(pk=report_id)
    except DatabaseError:
        _fail(report_id, "The database was unavailable; trying again.", final=False)
        raise
    except Exception as error:  # our template or WeasyPrint: the same input fails the same way
        logger.exception("Report %s could not be rendered", report_id)
        _fail(report_id, f"The report could not be rendered ({type(error).__name__}: {error}).")
        return Report.objects.get(pk=report_id)
    return _store(report_id, rendered)


def _store(report_id: int, rendered: pdf.Rendered) -> Report:
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("engagement")
            .get(pk=report_id)
        )
        if report.status in (Report.Status.READY, Report.Status.FAILED):
            return report  # another delivery finished first
        # A file already under this report's name is what an attempt killed before it could
        # commit left behind: ours to replace (the row lock keeps any other attempt waiting).
        name = report.file.field.generate_filename(report, report.filename)
        if report.file.storage.exists(name):
            report.file.storage.delete(name)
        report.file.save(report.filename, ContentFile(rendered.pdf), save=False)
        report.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
        report.pages, report.bytes, report.render_ms = (
            rendered.pages,
            len(rendered.pdf),
            rendered.milliseconds,
        )
        report.status, report.error = Report.Status.READY, ""
        report.save()
        _record(
            report, by=None, step="ready", change=f"v{report.number} ready ({report.pages} pages)"
        )
        if report.requested_by_id:
            _notify_later(report)
    return report


def _notify_later(report: Report) -> None:
    from cto.reports.tasks import notify_report_ready

    publish_on_commit(
        notify_report_ready,
        (report.pk,),
        lost="The requester is not told yet; the sweeper sends it after the deadline.",
    )


def report_ready_notify(*, report_id: int) -> bool:
    """Tell whoever asked for the report that it is ready, once (safe to run twice)."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("engagement__organization", "requested_by")
            .filter(pk=report_id, status=Report.Status.READY, notified_at=None)
            .exclude(requested_by=None)
            .first()
        )
        if report is None or report.requested_by is None:
            return False
        context = {"report": report, "site_url": settings.SITE_URL}
        subject = render_to_string("reports/email/ready_subject.txt", context)
        body = render_to_string("reports/email/ready_body.txt", context)
        send_mail(" ".join(subject.split()), body, None, [report.requested_by.email])
        report.notified_at = timezone.now()
        report.save(update_fields=["notified_at"])
    return True


# How far back the sweeper looks for a ready report whose requester was never told: a
# message lost in an outage is made up for, an old report is not announced days late.
NOTIFY_LOOKBACK = timedelta(days=1)


def reports_sweep(*, now: datetime | None = None) -> list[int]:
    """Queue again every report stuck in `queued` or `rendering` past the deadline: its worker
    died, or its message was lost (a broker that was down, or restarted empty). Safe alongside
    a live render: claims are locked, and a rendering cannot outlast the hard time limit, which
    is shorter than the deadline. Also sends again the lost "ready" emails of the last day.
    Returns the ids queued again."""
    from cto.reports.tasks import notify_report_ready, render_report

    now = now or timezone.now()
    deadline = now - timedelta(seconds=settings.REPORT_STUCK_AFTER_SECONDS)
    stuck = list(
        Report.objects.filter(
            status__in=[Report.Status.QUEUED, Report.Status.RENDERING], updated_at__lt=deadline
        ).values_list("pk", flat=True)
    )
    queued = []
    for report_id in stuck:
        if not publish(
            render_report, (report_id,), lost="Left for the next sweep.", **_time_limits()
        ):
            break  # the broker is away again: the next sweep finds the rest still stuck
        queued.append(report_id)
    # Stamped, so a report waiting behind a long queue is queued again once per deadline, not
    # at every sweep; only those whose message went out, and not one that finished meanwhile.
    Report.objects.filter(
        pk__in=queued, status__in=[Report.Status.QUEUED, Report.Status.RENDERING]
    ).update(updated_at=timezone.now())
    if queued:
        logger.warning("Queued %d stuck report(s) again: %s", len(queued), queued)
    unannounced = Report.objects.filter(
        status=Report.Status.READY,
        notified_at=None,
        requested_by__isnull=False,
        updated_at__lt=deadline,
        updated_at__gte=now - NOTIFY_LOOKBACK,
    ).values_list("pk", flat=True)
    for report_id in unannounced:
        if not publish(notify_report_ready, (report_id,), lost="Left for the next sweep."):
            break
    return queued


def report_downloaded(*, report: Report, by: User) -> None:
    _record(
        report,
        by=by,
        step="downloaded",
        change=f"{report.get_kind_display()} v{report.number} downloaded",
    )


@dataclass(frozen=True)
class Timed:
    """A rendering done on the spot, with where its time went."""

    rendered: pdf.Rendered
    gather_ms: float
    template_ms: float
    html: str


def report_render_unsaved(*, engagement: Engagement, kind: str) -> Timed:
    """Render a report of ``kind`` now, in this process, and keep nothing: no Report row, no
    file, no timeline event. For scripts and the benchmark (`manage.py render_report`): final
    when the practice's summary is written (the document the client gets), else a draft."""
    _check_kind(kind)
    started = time.perf_counter()
    data = snapshot.gather(kind=kind, engagement=engagement, generator=pdf.GENERATOR)
    if data["narrative"]["summary"]:
        data["release"] = Report.Release.FINAL.value  # what the client would be sent
    gathered = time.perf_counter()
    report = Report(
        engagement=engagement,
        kind=kind,
        number=0,
        release=data["release"],
        snapshot=data,
        snapshot_sha256=snapshot.digest(data),
        generator=pdf.GENERATOR,
    )
    html = report_html(report)
    templated = time.perf_counter()
    return Timed(
        rendered=pdf.render(html),
        gather_ms=(gathered - started) * 1000,
        template_ms=(templated - gathered) * 1000,
        html=html,
    )
