"""cto/reports/pdf.py: the four kinds of report (week-one, intake summary, audit, quote) read back
from real PDFs: each chapter with the engagement's own data, metadata and bookmarks,
provenance, byte-identical re-renders, our own fonts, the fetcher that reaches nothing outside,
and a hostile corpus in every typed field, printed and never fetched."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.conf import settings
from django.test import Client

from cto.checklists.models import Evidence
from cto.checklists.services import evidence_add
from cto.core.money import money_text
from cto.engagements.models import Engagement
from cto.pricing.models import Quote
from cto.reports import pdf, services
from cto.reports.models import Report
from cto.reports.narratives import NextStep
from cto.users.models import User
from tests.reports.conftest import (
    Say,
    engagement_with_everything,
    reader_of,
    request,
    text_of,
    write_text,
)

pytestmark = pytest.mark.django_db
KINDS = ("week_one", "intake_summary", "audit", "quote")


def squash(text: str) -> str:
    """Without any whitespace: a long value wraps across lines wherever the page needs."""
    return re.sub(r"\s+", "", text)


def outline_of(reader: pypdf.PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def fonts_of(reader: pypdf.PdfReader) -> set[str]:
    """The embedded fonts' names, without the subset prefix (what pdffonts lists)."""
    names: set[str] = set()

    def walk(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return names


def render(report: Report) -> pdf.Rendered:
    return pdf.render(services.report_html(report))


# --- What each kind shows -------------------------------------------------------------------------

# Per kind: the bookmarks (headings) it must have, and the typed fields whose text it prints.
EXPECTED: dict[str, dict[str, list[str]]] = {
    "week_one": {
        "outline": [
            "Week-one deliverable",
            "Executive summary",
            "Key findings",
            "The risks",
            "Next steps",
            "The recommendation and how we got there",
            "The decision path",
            "Fractional CTO or fractional AI CTO: the scope",
            "What week one delivers",
            "Readiness",
            "Scores by dimension",
            "Progress since audit 1",
            "Red flags",
            "What to work on first",
            "In the frameworks your board knows",
            "Models, evals and failure modes",
            "The model and vendor matrix",
            "Eval gates",
            "Failure modes by risk",
            "The week-one checklist",
            "The proposal",
            "The proposed tier",
            "Every option of quote 1.1",
            "Appendix: provenance",
        ],
        "fields": [
            "organisation-name",
            "engagement-title",
            "lead-name",
            "intake-text-answer",
            "criterion-label",
            "candidate-1-name",
            "candidate-2-provider",
            "candidate-2-version",
            "candidate-1-notes",
            "plan-rationale",
            "gate-name",
            "gate-behaviour",
            "gate-metric",
            "gate-owner",
            "failure-mode-title",
            "failure-mode-mitigation",
            "failure-mode-reason",
            "checklist-section",
            "checklist-item-title",
            "evidence-note",
            "checklist-blocked-reason",
            "tier-name",
            "tier-includes",
            "week-one-summary",
            "week-one-findings",
            "week-one-risks",
            "week-one-step",
            "week-one-step-owner",
        ],
    },
    "intake_summary": {
        "outline": [
            "Intake summary",
            "Our summary",
            "Our recommendation",
            "Why: your answers",
            "What week one delivers",
            "Next steps",
            "Appendix: provenance",
        ],
        "fields": [
            "organisation-name",
            "engagement-title",
            "intake-text-answer",
            "contact-name",
            "contact-role",
            "intake-summary-summary",
            "intake-summary-step",
            "intake-summary-step-owner",
        ],
    },
    "audit": {
        "outline": [
            "Readiness audit report",
            "Our summary",
            "Key findings",
            "The risks",
            "Next steps",
            "At a glance",
            "Scores by dimension",
            "Progress since audit 1",
            "Red flags",
            "What to work on first",
            "In the frameworks your board knows",
            "Notes from the audit",
            "Appendix: provenance",
        ],
        "fields": [
            "organisation-name",
            "engagement-title",
            "lead-name",
            "audit-note-0",
            "audit-note-1",
            "audit-summary",
            "audit-findings",
            "audit-risks",
            "audit-step",
            "audit-step-owner",
        ],
    },
    "quote": {
        "outline": [
            "Quote",
            "Our recommendation",
            "The options, line by line",
            "Good: Fractional AI CTO, Advisor",
            "Better: [tier-name] (accepted)",
            "Terms",
            "Acceptance",
            "Appendix: provenance",
        ],
        "fields": [
            "organisation-name",
            "engagement-title",
            "lead-name",
            "tier-name",
            "tier-includes",
            "quote-line-label",
            "quote-line-reason",
            "quote-terms",
            "signature",
            "contact-name",
            "quote-summary",
        ],
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_shows_its_chapters_with_the_engagements_own_data(
    full: tuple[Engagement, Say], kind: str
) -> None:
    engagement, say = full
    report = request(engagement, kind)
    rendered = render(report)
    reader = reader_of(rendered.pdf)
    text = text_of(rendered.pdf)
    flat = squash(text)

    assert outline_of(reader) == EXPECTED[kind]["outline"]
    for field in EXPECTED[kind]["fields"]:
        assert squash(say.fields[field]) in flat, field
    assert f"Page 1 of {rendered.pages}" in text
    assert f"Page {rendered.pages} of {rendered.pages}" in text
    provenance = flat[flat.rindex("Appendix:provenance") :]
    assert report.snapshot["provenance"]  # every kind names the inputs it read
    for row in report.snapshot["provenance"]:
        assert squash(f"{row['input']}{row['version']}") in provenance
    assert report.snapshot_sha256 in provenance

    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == f"{report.snapshot['title']}: {say.fields['engagement-title']}"
    assert metadata.author == "cto"
    assert say.fields["organisation-name"] in (metadata.subject or "")
    assert "cto" in str(metadata.get("/Keywords", ""))
    created = datetime.datetime.fromisoformat(report.snapshot["generated_at"])
    assert metadata.creation_date == created
    assert metadata.modification_date == created


def test_the_week_one_report_has_its_numbers_decisions_and_provenance(
    full: tuple[Engagement, Say],
) -> None:
    engagement, say = full
    report = request(engagement, "week_one")
    text = text_of(render(report).pdf)
    flat = squash(text)
    s = report.snapshot
    audit = engagement.audits.get(number=2)
    checklist = engagement.checklist

    assert "You need a fractional AI CTO" in text  # the recommendation
    assert f"{s['audit']['overall']} of 100" in text
    assert s["audit"]["flags"]
    assert s["audit"]["flags"][0]["title"] in text
    assert re.search(r"Executive summary[ .]*2", text)  # contents, with page numbers
    assert squash(f"Chosen model {s['plan']['chosen']}") in flat
    assert squash(f"Fallback {s['plan']['fallback']}") in flat
    assert "Fail" in text  # the blocking gate's latest result, 0.8 against 0.9
    assert "Accepted" in text  # the failure mode's status
    assert "Done" in text
    assert "Blocked" in text
    assert "https://docs.harbour.example/evidence.png" in flat  # evidence links
    assert squash(say.fields["tier-name"]) + "(Betteroption,accepted)" in flat  # proposed tier
    assert s["next_steps"]  # the standing plan is in the snapshot, but the practice set its own
    assert squash(s["next_steps"][0]) not in flat
    assert squash(say.fields["week-one-step"]) in flat

    provenance = flat[flat.rindex("Appendix:provenance") :]
    for version in (
        "cto-fit v1",
        str(audit.template_version),
        str(checklist.template_version),
        s["quote"]["tiers"],
        pdf.GENERATOR,
        s["generated_at"],
        report.snapshot_sha256,
    ):
        assert squash(version) in provenance, version
    assert s["quote"]["tiers"].startswith("ai-cto-advisor, ai-cto-lead (sha256 ")


def test_the_generated_text_reads_as_a_person_wrote_it(full: tuple[Engagement, Say]) -> None:
    """No engine words, no list printed twice, no reason that is not a reason, and column
    headings that say what their column holds."""
    engagement, _ = full
    report = request(engagement, "week_one")
    text = text_of(render(report).pdf)
    flat = squash(text)
    s = report.snapshot

    assert "rule fired" not in text
    assert any(not step["reasons"] for step in s["intake"]["path"])  # the case is in the report
    assert "On its own, this answer does not change the recommendation." in " ".join(text.split())
    for step in s["narrative"]["next_steps"]:  # the practice's steps, once
        assert flat.count(squash(step["action"])) == 1, step
    for step in s["next_steps"]:  # and the standing plan they replace, not at all
        assert squash(step) not in flat, step
    assert s["proposed"]["accepted_at"]
    assert squash(f"Accepted {s['proposed']['accepted_at']}") in flat
    assert "WhythisoneAccepted" not in flat
    assert "minimumcommitment" in flat.lower()  # table headings are set in capitals
    assert "minimumterm" not in flat.lower()


def test_the_intake_summary_fits_on_one_or_two_pages(full: tuple[Engagement, Say]) -> None:
    engagement, _ = full
    rendered = render(request(engagement, "intake_summary"))
    assert 1 <= rendered.pages <= 2


def test_the_quote_before_acceptance_has_blank_signature_lines(ai_engagement: Engagement) -> None:
    rendered = render(request(ai_engagement, "quote"))
    text = text_of(rendered.pdf)
    assert "Signature" in text
    assert "Full name" in text
    assert "Signed as" not in text
    assert "The Better option" in text  # what the weak audit dimensions' risk drivers recommend


def test_the_quote_pdf_and_its_page_write_every_sum_of_money_alike(
    ai_engagement: Engagement,
) -> None:
    client = Client()  # not the fixture: the page is tried on SQLite elsewhere, the PDF is slow
    quote = Quote.objects.get(engagement=ai_engagement)
    sums = {
        money_text(amount, quote.currency)
        for option in quote.options.all()
        for totals in [option.totals()]
        for amount in (totals.monthly, totals.one_off, totals.first_term)
    }
    assert any("," in text for text in sums), "no sum above a thousand to group"
    printed = squash(text_of(render(request(ai_engagement, "quote")).pdf))
    client.force_login(ai_engagement.lead)
    page = client.get(quote.get_absolute_url()).text
    for text in sums:
        assert squash(text) in printed
        assert text in page


def test_the_same_snapshot_renders_to_the_same_bytes_for_every_kind(
    full: tuple[Engagement, Say],
) -> None:
    engagement, _ = full
    for kind in KINDS:
        report = request(engagement, kind)
        assert render(report).pdf == render(report).pdf, kind


def test_a_week_one_report_shows_only_the_chapters_whose_data_exists(
    engagement: Engagement,
) -> None:
    rendered = render(request(engagement, "week_one"))
    outline = outline_of(reader_of(rendered.pdf))
    assert outline == [
        "Week-one deliverable",
        "Executive summary",
        "The standing plan",
        "Appendix: provenance",
    ]
    text = text_of(rendered.pdf)
    assert "Run the readiness audit" in text
    assert "Readiness" not in outline
    assert "The proposal" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_every_font_in_a_report_is_one_we_ship(full: tuple[Engagement, Say], kind: str) -> None:
    engagement, _ = full
    reader = reader_of(render(request(engagement, kind)).pdf)
    assert fonts_of(reader) == {"Report-Sans", "Report-Sans-Bold", "Report-Mono"}


def test_a_machine_without_fonts_renders_the_same_bytes(
    ai_engagement: Engagement, tmp_path: Path
) -> None:
    """Rendered again in a process whose Fontconfig knows no font at all: the same file."""
    html = services.report_html(request(ai_engagement, "week_one"))
    (tmp_path / "report.html").write_text(html)
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    script = (
        "import django, pathlib, sys; django.setup(); from cto.reports import pdf; "
        "html = pathlib.Path(sys.argv[1]).read_text(); "
        "sys.stdout.buffer.write(pdf.render(html).pdf)"
    )
    alone = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "report.html")],
        cwd=settings.BASE_DIR,
        env={**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")},
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert b"No fonts configured" in alone.stderr  # the machine really had none
    assert alone.stdout == pdf.render(html).pdf


def test_only_our_own_charts_are_marked_safe() -> None:
    templates = Path(settings.BASE_DIR) / "templates" / "reports" / "pdf"
    safe = []
    for template in sorted(templates.glob("*.html")):
        source = template.read_text()
        assert "autoescape off" not in source, template.name
        safe += re.findall(r"\{\{\s*([^}|]+)\|safe\s*\}\}", source)
    # The practice's text is sanitised HTML made once, into the snapshot (cto/reports/markup.py);
    # the trace's waterfall escapes every name it draws (tests/receipts/test_waterfall.py).
    assert sorted(safe) == [
        "audit.bars_svg",
        "audit.radar_svg",
        "s.narrative.findings",
        "s.narrative.risks",
        "s.narrative.summary",
        "s.plan.trace.svg",
    ]


# --- A hostile corpus in every typed field --------------------------------------------------------


def corpus(port: str) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/linked.css">',
        f"<style>@import url(http://127.0.0.1:{port}/imported.css)</style>",
        f'<p style="background: url(http://127.0.0.1:{port}/background.png)">css</p>',
        f'<svg><image href="http://127.0.0.1:{port}/svg.png"/></svg>',
        '<table><tr><td colspan="100000">wide</td></tr></table>',
        "<div>" * 400,
    ]


def test_hostile_text_in_every_typed_field_is_printed_never_fetched(
    spy: list[str], db: None
) -> None:
    port = spy[0].removeprefix("port:")
    pieces = corpus(port)
    say = Say(pieces, port=int(port))
    engagement = engagement_with_everything(say=say)
    seen = ""
    for kind in KINDS:
        report = request(engagement, kind)
        html = services.report_html(report)
        for piece in pieces:  # escaped wherever it is shown: not one tag of it reaches WeasyPrint
            assert piece not in html, (kind, piece)
        rendered = pdf.render(html)
        text = text_of(rendered.pdf)
        flat = squash(text)
        assert spy == [f"port:{port}"], kind  # not one request reached the spy
        assert "root:" not in text, kind
        assert rendered.pages < 60, kind  # no colspan of 100000 laid out
        # Printed, as text. A long value may run across a page break, where the running
        # header and the repeated table header come in between: its start is looked for.
        for field in EXPECTED[kind]["fields"]:
            assert squash(say.fields[field])[:80] in flat, (kind, field)
        for piece in pieces[:2]:
            assert squash(piece) in flat, (kind, piece)
        if kind != "intake_summary":  # its longest typed field holds 500 characters
            assert "<div>" * 100 in flat, kind
        if kind == "week_one":  # typed links are printed (and linked), never followed
            assert squash(say.url("evidence.png")) in flat
        if kind == "audit":
            assert squash(say.url("audit-evidence.png")) in flat
        seen += flat
    for piece in pieces[:-1]:
        assert squash(piece) in seen, piece  # every piece of the corpus was typed, and printed


# --- The fetcher, and one HTML rendered twice ---------------------------------------------------


def test_the_same_snapshot_renders_to_the_same_bytes(
    ai_engagement: Engagement, operator: User
) -> None:
    report = services.report_request(engagement=ai_engagement, kind="week_one", by=operator)
    first = pdf.render(services.report_html(report)).pdf
    second = pdf.render(services.report_html(report)).pdf
    assert first == second


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


# --- Client-typed links: clickable only to public hosts -----------------------------------------


class TypedLinks(Say):
    """The scene's typed links, in the order the scene types them: audit evidence (two
    answers), then checklist evidence."""

    def __init__(self, links: list[str]) -> None:
        super().__init__()
        self.links = list(links)

    def url(self, path: str) -> str:
        return self.links.pop(0)


def link_targets(data: bytes) -> set[str]:
    """The URI of every link annotation in the PDF (internal links, /Dest, are left out)."""
    targets: set[str] = set()
    for page in reader_of(data).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.add(str(action["/URI"]))
    return targets


def test_only_links_to_public_hosts_are_clickable_and_none_is_fetched(
    spy: list[str], db: None
) -> None:
    port = spy[0].removeprefix("port:")
    loopback = f"http://127.0.0.1:{port}/evidence"
    say = TypedLinks(
        ["https://docs.harbour.example/audit-evidence", "http://10.0.0.5/audit-evidence", loopback]
    )
    engagement = engagement_with_everything(say=say)
    item = Evidence.objects.get(item__checklist__engagement=engagement, url=loopback).item
    operator = engagement.lead
    assert operator is not None
    for url in ("http://localhost/wiki", "http://[::1]/x", "https://evidence.harbour.example/ok"):
        evidence_add(item=item, url=url, by=operator)

    expected = {
        "week_one": (
            {"https://evidence.harbour.example/ok"},
            [loopback, "http://localhost/wiki", "http://[::1]/x"],
        ),
        "audit": (
            {"https://docs.harbour.example/audit-evidence"},
            ["http://10.0.0.5/audit-evidence"],
        ),
    }
    for kind, (linked, printed) in expected.items():
        data = pdf.render(services.report_html(request(engagement, kind))).pdf
        assert link_targets(data) == linked, kind
        flat = squash(text_of(data))
        for url in [*linked, *printed]:
            assert squash(url) in flat, (kind, url)  # every address is printed
        assert "thepracticehasnotcheckedwhere" in flat.lower(), kind
    assert spy == [f"port:{port}"]  # and not one was fetched


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.5/",
        "http://localhost/",
        "https://docs.harbour.example/evidence.png",
        "file:///etc/passwd",
        "data:text/css,body{color:red}",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_every_address_a_client_may_type(url: str) -> None:
    """Linked or not in the PDF, a typed address is never loaded while rendering."""
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(ValueError, match="Reports load nothing from outside"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


# --- The practice's text, drafts and finals -------------------------------------------------------

DAY = datetime.date(2026, 3, 9)


def test_a_draft_without_text_says_so_on_its_cover_and_in_place_of_the_summary(
    ai_engagement: Engagement,
) -> None:
    for kind in ("week_one", "audit", "quote"):
        data = render(request(ai_engagement, kind)).pdf
        text = " ".join(text_of(data).split())
        # The cover's mark, set in capitals.
        assert "DRAFT FOR REVIEW" in reader_of(data).pages[0].extract_text(), kind
        assert (
            "The practice has not written its summary yet; this version is a draft for review."
            in text
        ), kind
        assert "No text written by the practice" in text, kind
        assert "Issued as Draft for review by the practice" in text, kind


def test_a_final_shows_the_practices_text_and_who_wrote_it_and_no_draft_mark(
    ai_engagement: Engagement, operator: User
) -> None:
    write_text(
        ai_engagement,
        by=operator,
        summary="Ship the agent in **four weeks** once the gate has an owner.\n\n- first\n- second",
        findings="The fallback model was never exercised.",
        risks="A [vendor outage](https://status.example/outage) stops support replies.",
        next_steps=[NextStep(action="Name the gate's owner", owner="Dana Reyes", due=DAY)],
    )
    report = services.report_request(
        engagement=ai_engagement, kind="week_one", by=operator, release="final"
    )
    data = render(report).pdf
    text = " ".join(text_of(data).split())
    assert "draft for review" not in text.lower()
    assert "has not written its summary" not in text
    assert "Ship the agent in four weeks once the gate has an owner." in text
    assert "The fallback model was never exercised." in text
    assert "A vendor outage stops support replies." in text
    assert "Name the gate's owner Dana Reyes 9 March 2026" in text
    assert "The standing plan" not in text  # the practice set its own steps
    written = f"Written by {operator}, {report.snapshot['narrative']['written_on']}"
    assert written in text
    assert "Issued as Final, for the client" in text
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader_of(data).pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/A", {}).get("/URI")
    ]
    assert "https://status.example/outage" in links


def test_the_summary_made_at_submission_says_it_was_prepared_automatically(
    full: tuple[Engagement, Say],
) -> None:
    ai_engagement, _ = full
    operator = ai_engagement.lead
    assert operator is not None
    ai_engagement.narratives.filter(kind="intake_summary").delete()  # as at submission: none
    automatic = services.report_request(
        engagement=ai_engagement, kind="intake_summary", by=None, release="automatic"
    )
    text = " ".join(text_of(render(automatic).pdf).split())
    assert "draft" not in text.lower()
    assert "prepared automatically from your answers" in text
    brand = automatic.snapshot["brand"]["name"]
    reply_by = automatic.snapshot["intake"]["reply_by"]
    assert f"A consultant at {brand} reads every intake and replies by email by {reply_by}." in text
    assert "Issued as Prepared automatically from the intake's answers" in text

    write_text(
        ai_engagement,
        "intake_summary",
        by=operator,
        summary="We would start with the support agent.",
        next_steps=[NextStep(action="A call about week one", owner="Olivia", due=DAY)],
    )
    later = services.report_request(
        engagement=ai_engagement, kind="intake_summary", by=operator, release="final"
    )
    text = " ".join(text_of(render(later).pdf).split())
    assert "We would start with the support agent." in text
    assert "A call about week one Olivia 9 March 2026" in text
    assert "prepared automatically" not in text

    draft = services.report_request(engagement=ai_engagement, kind="intake_summary", by=operator)
    masthead = " ".join(text_of(render(draft).pdf).split())[:200]
    assert "DRAFT FOR REVIEW" in masthead


def test_a_snapshot_from_before_drafts_renders_as_it_did(ai_engagement: Engagement) -> None:
    """A version made before the practice's text existed (retried after the change) has
    neither key: it shows no draft mark or notice, and says no text was written."""
    report = request(ai_engagement, "week_one")
    for key in ("release", "narrative"):
        del report.snapshot[key]
    text = " ".join(text_of(render(report).pdf).split())
    assert "draft" not in text.lower()
    assert "No text written by the practice" in text
    assert "Issued as" not in text
