"""cto/reports/narratives.py and what it feeds: the practice's text saved (version-checked, on
the timeline), frozen into each version's snapshot, and a final refused without a summary."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cto.engagements.models import Engagement
from cto.reports import narratives, services
from cto.reports.models import Report, ReportNarrative
from cto.reports.narratives import NextStep, StaleNarrativeError
from cto.users.models import User
from tests.reports.conftest import rendered, request, text_of, write_text

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 3, 9)


def _save(engagement: Engagement, by: User, **changes: object) -> ReportNarrative:
    arguments: dict[str, object] = {
        "engagement": engagement,
        "kind": "week_one",
        "summary": "We found one gap.",
        "findings": "",
        "risks": "",
        "next_steps": [],
        "expected_version": None,
        "by": by,
    } | changes
    return narratives.narrative_save(**arguments)  # type: ignore[arg-type]  # test shorthand


def test_saving_the_text_keeps_it_and_records_it_on_the_timeline(
    ai_engagement: Engagement, operator: User
) -> None:
    steps = [NextStep(action=" Name an owner for the gate ", owner="Dana (client)", due=DUE)]
    narrative = _save(
        ai_engagement, operator, summary="  We found **one** gap.  ", next_steps=steps
    )
    narrative.refresh_from_db()
    assert narrative.summary == "We found **one** gap."
    assert narrative.next_steps == [
        {"action": "Name an owner for the gate", "owner": "Dana (client)", "due": "2026-03-09"}
    ]
    assert (narrative.version, narrative.updated_by) == (1, operator)
    event = ai_engagement.events.get(data__change__icontains="text of the")
    assert event.summary == "Report: text of the week-one deliverable saved"
    assert event.actor == operator


def test_a_save_from_a_page_drawn_before_another_save_is_refused(
    ai_engagement: Engagement, operator: User
) -> None:
    _save(ai_engagement, operator)
    with pytest.raises(StaleNarrativeError, match="Someone saved this report's text"):
        _save(ai_engagement, operator, summary="Mine instead", expected_version=None)
    with pytest.raises(StaleNarrativeError):
        _save(ai_engagement, operator, summary="Mine instead", expected_version=7)
    assert _save(ai_engagement, operator, summary="Second", expected_version=1).version == 2
    assert ReportNarrative.objects.get().summary == "Second"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "memo"}, "There is no report of the kind"),
        ({"risks": "x" * (narratives.TEXT_MAX + 1)}, "a report takes at most"),
        ({"next_steps": [NextStep(action=" ", owner="Dana", due=DUE)]}, "Each next step needs"),
        ({"next_steps": [NextStep(action="Act", owner="", due=DUE)]}, "Each next step needs"),
        (
            {"next_steps": [NextStep("Act", "Dana", DUE)] * (narratives.STEPS_MAX + 1)},
            "at most 20 next steps",
        ),
    ],
)
def test_text_out_of_bounds_is_refused_with_a_message_and_nothing_written(
    ai_engagement: Engagement, operator: User, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _save(ai_engagement, operator, **changes)
    assert not ReportNarrative.objects.exists()
    assert not ai_engagement.events.filter(data__change__icontains="text of the").exists()


def test_a_final_version_without_the_summary_is_refused_and_nothing_is_written(
    ai_engagement: Engagement, operator: User
) -> None:
    write_text(ai_engagement, by=operator, summary="", findings="Only findings so far.")
    events = ai_engagement.events.count()
    with pytest.raises(ValidationError, match="A final version needs the practice's summary"):
        services.report_request(
            engagement=ai_engagement, kind="week_one", by=operator, release="final"
        )
    assert not Report.objects.exists()
    assert ai_engagement.events.count() == events
    draft = request(ai_engagement, "week_one", by=operator)  # a draft is always possible
    assert draft.release == Report.Release.DRAFT


def test_only_the_intake_summary_is_prepared_automatically(
    ai_engagement: Engagement, operator: User
) -> None:
    with pytest.raises(ValidationError, match="Only the intake summary"):
        services.report_request(
            engagement=ai_engagement, kind="audit", by=operator, release="automatic"
        )
    with pytest.raises(ValidationError, match="either a draft for review or final"):
        services.report_request(
            engagement=ai_engagement, kind="audit", by=operator, release="published"
        )


def _final(engagement: Engagement, by: User) -> Report:
    return services.report_request(engagement=engagement, kind="week_one", by=by, release="final")


def test_each_version_freezes_the_text_as_it_was_when_requested(
    ai_engagement: Engagement, operator: User
) -> None:
    write_text(
        ai_engagement,
        by=operator,
        summary="First words, with [a link](https://runbook.example/gate).",
        next_steps=[NextStep(action="Own the gate", owner="Dana", due=DUE)],
    )
    first = _final(ai_engagement, operator)
    first_bytes = rendered(first)
    write_text(ai_engagement, by=operator, summary="Second words, *rewritten*.")
    second = _final(ai_engagement, operator)
    write_text(ai_engagement, by=operator, summary="Third words.")

    first.refresh_from_db()
    assert first.snapshot["narrative"]["summary"] == (
        '<p>First words, with <a href="https://runbook.example/gate">a link</a>.</p>'
    )
    assert first.snapshot["narrative"]["next_steps"] == [
        {"action": "Own the gate", "owner": "Dana", "due": "9 March 2026"}
    ]
    assert first.snapshot["release"] == "final"
    assert first.snapshot["narrative"]["written_by"] == str(operator)
    assert second.snapshot["narrative"]["summary"] == "<p>Second words, <em>rewritten</em>.</p>"
    assert second.snapshot["narrative"]["next_steps"] == []
    # Rendering the first version again, after the text changed twice, gives its very bytes.
    Report.objects.filter(pk=first.pk).update(status="queued", sha256="", file="")
    assert rendered(first) == first_bytes
    assert "First words" in text_of(first_bytes)


def test_an_unwritten_narrative_is_frozen_as_empty(ai_engagement: Engagement) -> None:
    report = request(ai_engagement, "quote")
    assert report.snapshot["narrative"] == {
        "written": False,
        "summary": "",
        "findings": "",
        "risks": "",
        "next_steps": [],
        "written_by": None,
        "written_on": None,
    }
