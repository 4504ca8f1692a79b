"""cto/reports/views.py through the client: the htmx card, generating and retrying, downloads
only for those allowed, and the prospect's intake summary from the thanks page."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from cto.engagements.models import Engagement
from cto.intake.models import TreeVersion
from cto.reports import services
from cto.reports.models import Report, ReportNarrative
from cto.users.models import Organization, User
from tests.intake.test_views import CONTACT, walk_to_result
from tests.intake.test_views import version as version  # the fixture, for the intake tests
from tests.reports.conftest import _request, rendered, request_final, write_text
from tests.users.factories import MembershipFactory, OperatorFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_card_polls_while_a_version_renders_and_stops_when_ready(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    member = ai_engagement.organization.members.first()
    client.force_login(member)
    url = reverse("reports:card", args=[ai_engagement.pk])
    report = request_final(ai_engagement, by=operator)
    page = client.get(url, headers=HTMX).text
    assert 'hx-trigger="every 2s"' in page
    assert "Queued" in page
    assert "announcer" not in page  # nothing to say while it renders
    assert "Generate a new version" not in page  # clients download, operators generate
    report = services.report_render(report_id=report.pk)
    page = client.get(url, headers=HTMX).text
    assert "every 2s" not in page
    assert report.get_download_url() in page
    assert f"{report.pages} pages" in page
    # The end of the rendering is said in the page's live region (out of band), which the
    # swap leaves in place: the badge changing is not read out.
    said = f"{report.get_kind_display()} v{report.number} is ready to download."
    assert f'<div id="announcer" hx-swap-oob="innerHTML">{said}</div>' in page


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
    assert '<div id="announcer" hx-swap-oob="innerHTML">Readiness audit report v1' in reply.text
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
    assert report.release == Report.Release.AUTOMATIC
    # A draft an operator makes later is the practice's: the prospect keeps their own.
    draft = services.report_request(
        engagement=report.engagement, kind="intake_summary", by=OperatorFactory()
    )
    services.report_render(report_id=draft.pk)
    again = client.get(reverse("intake_summary_download"))
    assert b"".join(again.streaming_content) == data


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


def test_downloads_are_for_the_organisation_and_operators_only(
    client: Client, ai_engagement: Engagement, operator: User, other_organization: Organization
) -> None:
    report = request_final(ai_engagement, by=operator)
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


# --- The practice's text: the operators' editor, drafts and finals on the card ------------------


def _editor(engagement: Engagement, kind: str = "week_one") -> str:
    return reverse("reports:narrative", args=[engagement.pk, kind])


def _posted(**changes: str) -> dict[str, str]:
    return {
        "summary": "We found **one** gap.",
        "findings": "",
        "risks": "",
        "version": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-action": "Name an owner for the release gate",
        "steps-0-owner": "Dana",
        "steps-0-due": "2026-03-09",
        "steps-1-action": "",
        "steps-1-owner": "",
        "steps-1-due": "",
    } | changes


def test_the_editor_is_for_operators_only(
    client: Client, ai_engagement: Engagement, other_organization: Organization
) -> None:
    url = _editor(ai_engagement)
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(ai_engagement.organization.members.first())
    assert client.get(url).status_code == 302  # a client: the operators' sign-in
    assert client.post(url, _posted()).status_code == 302
    client.force_login(MembershipFactory(organization=other_organization).user)
    assert client.get(url).status_code == 302
    assert not ReportNarrative.objects.exists()


def test_an_operator_writes_previews_and_saves_the_text(
    client: Client, ai_engagement: Engagement, operator: User, django_assert_num_queries: Any
) -> None:
    client.force_login(operator)
    url = _editor(ai_engagement)
    with django_assert_num_queries(4):  # the user, the engagement, its text, the owners
        page = client.get(url)
    assert page.status_code == 200
    assert "Text of the week-one deliverable" in page.text
    assert "nothing written yet" in page.text
    assert 'list="narrative-owners"' in page.text
    assert f'<option value="{ai_engagement.organization.name}">' in page.text

    preview = client.post(url, _posted(preview="1", risks="<script>x()</script> [a](javascript:x)"))
    assert preview.status_code == 200
    assert "<p>We found <strong>one</strong> gap.</p>" in preview.text
    assert "<script>x()" not in preview.text
    assert 'href="javascript' not in preview.text
    assert not ReportNarrative.objects.exists()  # a preview saves nothing

    saved = client.post(url, _posted(save="1"))
    assert saved.status_code == 303
    assert saved["Location"].endswith("#reports")
    narrative = ReportNarrative.objects.get()
    assert narrative.next_steps == [
        {"action": "Name an owner for the release gate", "owner": "Dana", "due": "2026-03-09"}
    ]
    page = client.get(url).text
    assert "Name an owner for the release gate" in page
    assert 'name="version" value="1"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": "x" * 12_001}, "Executive summary: Ensure this value has at most"),
        ({"steps-0-due": "next Tuesday"}, "Next step 1: By: Enter the date as YYYY-MM-DD."),
        ({"steps-0-owner": ""}, "Next step 1: Owner: This field is required."),
        ({"steps-TOTAL_FORMS": "99999"}, "Please submit at most 20 forms."),
        ({"version": "-3"}, "This page is out of date"),
        ({"version": "4"}, "Someone saved this report's text"),
    ],
)
def test_bad_input_answers_the_form_with_a_message(
    client: Client,
    ai_engagement: Engagement,
    operator: User,
    changes: dict[str, str],
    message: str,
) -> None:
    client.force_login(operator)
    reply = client.post(_editor(ai_engagement), _posted(**changes))
    assert reply.status_code in (409, 422)
    assert message in reply.text.replace("&#x27;", "'")
    assert not ReportNarrative.objects.exists()


def test_the_editor_of_an_unknown_kind_or_engagement_is_not_found(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    client.force_login(operator)
    assert client.get(_editor(ai_engagement, "memo")).status_code == 404
    assert client.get(reverse("reports:narrative", args=[10**9, "week_one"])).status_code == 404


def test_operators_see_drafts_and_the_text_links_clients_see_finals_only(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    draft = _request(ai_engagement, operator)
    rendered(draft)
    final = request_final(ai_engagement, by=operator)
    rendered(final)
    card = reverse("reports:card", args=[ai_engagement.pk])

    client.force_login(operator)
    page = client.get(card, headers=HTMX).text
    assert 'Week-one deliverable v1 <span class="badge badge-paused">Draft</span>' in page
    assert draft.get_download_url() in page
    assert _editor(ai_engagement) in page
    assert _editor(ai_engagement, "quote") in page
    assert 'name="release"' in page
    assert client.get(draft.get_download_url()).status_code == 200

    client.force_login(ai_engagement.organization.members.first())
    page = client.get(card, headers=HTMX).text
    assert final.get_download_url() in page
    assert draft.get_download_url() not in page
    assert "Week-one deliverable v1" not in page
    assert _editor(ai_engagement) not in page
    assert client.get(draft.get_download_url()).status_code == 404
    assert client.get(final.get_download_url()).status_code == 200


def test_asking_for_a_final_without_the_summary_says_so_on_the_card(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    client.force_login(operator)
    url = reverse("reports:generate", args=[ai_engagement.pk])
    refused = client.post(url, {"kind": "week_one", "release": "final"}, headers=HTMX)
    assert refused.status_code == 422
    assert "A final version needs the practice" in refused.text.replace("&#x27;", "'")
    assert not Report.objects.exists()
    bad = client.post(url, {"kind": "week_one", "release": "automatic"}, headers=HTMX)
    assert bad.status_code == 422
    assert "either a draft for review or final" in bad.text
    draft = client.post(url, {"kind": "week_one"}, headers=HTMX)  # a draft unless told
    assert draft.status_code == 200
    assert Report.objects.get().release == Report.Release.DRAFT


def test_the_card_reads_the_text_of_every_kind_in_one_query(
    client: Client, ai_engagement: Engagement, operator: User, django_assert_num_queries: Any
) -> None:
    for kind in ("week_one", "audit", "quote"):
        write_text(ai_engagement, kind, by=operator)
        rendered(services.report_request(engagement=ai_engagement, kind=kind, by=operator))
    client.force_login(operator)
    url = reverse("reports:card", args=[ai_engagement.pk])
    with django_assert_num_queries(4):  # the user, the engagement, its reports, their texts
        page = client.get(url, headers=HTMX)
    assert page.text.count("summary written") == 3


def test_a_clients_timeline_leaves_out_drafts_and_the_practices_text(
    client: Client, ai_engagement: Engagement, operator: User
) -> None:
    write_text(ai_engagement, by=operator)
    _request(ai_engagement, operator)  # a draft
    request_final(ai_engagement, by=operator)
    page = reverse("engagements:portal_detail", args=[ai_engagement.pk])

    client.force_login(operator)
    timeline = client.get(page).text
    assert "Week-one deliverable v1 requested (draft)" in timeline
    assert "text of the week-one deliverable saved" in timeline

    client.force_login(ai_engagement.organization.members.first())
    timeline = client.get(page).text
    assert "Week-one deliverable v2 requested (final)" in timeline
    assert "v1 requested" not in timeline
    assert "text of the week-one deliverable saved" not in timeline
