"""The intake summary PDF as the prospect reads it (templates/reports/pdf/intake_summary.html,
fed by cto/reports/snapshot/intake.py): every answer named by its question, in a person's words,
and the answers that did not change the recommendation said plainly. Read back from the PDF."""

from __future__ import annotations

import re

import pytest

from cto.intake import services
from cto.reports import pdf
from cto.reports import services as report_services
from tests.intake.test_services import CONTACT, finished_response
from tests.reports.conftest import text_of

pytestmark = pytest.mark.django_db

ENGINE_WORDS = re.compile(r"\b(rule|rules|fired|score|node|cto-fit)\b", re.IGNORECASE)


def test_the_summary_reads_each_answer_back_naming_its_question() -> None:
    engagement = services.intake_submit(response=finished_response(), contact=CONTACT)
    report = report_services.report_request(
        engagement=engagement, kind="intake_summary", by=None, release="automatic"
    )
    text = " ".join(text_of(pdf.render(report_services.report_html(report)).pdf).split())
    assert (
        "Asked whether models or agents call tools, APIs or other systems on their own, you "
        "answered “Yes”. Agents call tools, so you need tool permissions"
    ) in text
    assert (
        "Asked what you are building, you wrote “Claims agent”. That answer did not change the "
        "recommendation."
    ) in text
    assert "From our questionnaire “Fractional CTO or fractional AI CTO?”, version 1." in text
    # The reply the thanks page promised, said again, with the day.
    reply_by = report.snapshot["intake"]["reply_by"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ 20\d\d", reply_by)
    assert f"reads every intake and replies by email by {reply_by}." in text
    # The provenance appendix names the tree's version as every report names its inputs (for
    # the practice's records); what the prospect reads before it speaks in plain words.
    body = text[: text.rindex("Appendix: provenance")]
    assert "Why: your answers" in body
    assert not ENGINE_WORDS.search(body), ENGINE_WORDS.search(body)


def test_a_summary_snapshot_from_before_the_sentences_renders_as_it_did() -> None:
    engagement = services.intake_submit(response=finished_response(), contact=CONTACT)
    report = report_services.report_request(
        engagement=engagement, kind="intake_summary", by=None, release="automatic"
    )
    for step in report.snapshot["intake"]["path"]:
        del step["said"]
    text = " ".join(text_of(pdf.render(report_services.report_html(report)).pdf).split())
    assert "On its own, this answer does not change the recommendation." in text
