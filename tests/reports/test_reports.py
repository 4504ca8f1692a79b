"""PDF reports on PostgreSQL: real PDFs read back, byte-identical re-renders, nothing fetched
from outside, downloads only for those allowed."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.reports import pdf, services
from cto.reports.models import Report
from cto.users.models import Organization, User
from tests.celery_worker import celery_worker, wait_for
from tests.reports.factories import ReportableEngagementFactory
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def rendered(report: Report) -> bytes:
    report = services.report_render(report_id=report.pk)
    assert report is not None
    assert report.status == Report.Status.READY, report.error
    with report.file.open("rb") as handle:
        return handle.read()


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


def test_the_same_snapshot_renders_to_the_same_bytes(
    ai_engagement: Engagement, operator: User
) -> None:
    report = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    first = pdf.render(services.report_html(report)).pdf
    second = pdf.render(services.report_html(report)).pdf
    assert first == second


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


def test_the_fetcher_refuses_everything_but_our_static_files(spy: list[str]) -> None:
    port = spy[0].removeprefix("port:")
    html = f"""<html><head><title>x</title>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/linked.css">
      <style>@import url("http://127.0.0.1:{port}/imported.css");
        body {{ background: url("file:///etc/hostname"); }}</style></head>
      <body><img src="http://127.0.0.1:{port}/img.png"><img src="static:../pyproject.toml">
      <svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:{port}/svg.png"/></svg>
      <img src="static:img/favicon.svg"><p>ok</p></body></html>"""
    result = pdf.render(html)
    assert spy == [f"port:{port}"]
    assert result.pages == 1
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(ValueError, match="Not one of our static files"):
        fetcher.fetch("static:../pyproject.toml")
    assert fetcher.fetch("static:img/favicon.svg").read().startswith(b"<svg")


def test_downloads_are_for_the_organisation_and_operators_only(
    client: Client, ai_engagement: Engagement, operator: User, other_organization: Organization
) -> None:
    report = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    url = report.get_download_url()
    assert client.get(url).status_code == 302  # anonymous: sign in
    member = ai_engagement.organization.members.first()
    client.force_login(member)
    assert client.get(url).status_code == 404  # not rendered yet
    data = rendered(report)
    reply = client.get(url)
    assert reply.status_code == 200
    assert b"".join(reply.streaming_content) == data
    assert (
        reply["Content-Disposition"] == f'attachment; filename="week-one-{ai_engagement.pk}-v1.pdf"'
    )
    assert reply["Cache-Control"] == "private, no-store"
    assert reply["X-Content-Type-Options"] == "nosniff"
    assert ai_engagement.events.filter(data__change__icontains="downloaded").count() == 1
    client.force_login(operator)
    assert client.get(url).status_code == 200
    client.force_login(MembershipFactory(organization=other_organization).user)
    assert client.get(url).status_code == 404


def test_versions_are_numbered_per_engagement(
    ai_engagement: Engagement, operator: User, client: Client
) -> None:
    first = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    client.force_login(operator)
    reply = client.post(reverse("reports:generate", args=[ai_engagement.pk]))
    assert reply.status_code == 303
    second = Report.objects.exclude(pk=first.pk).get()
    assert (first.number, second.number) == (1, 2)


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
