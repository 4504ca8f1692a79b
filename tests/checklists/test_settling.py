"""cto/checklists/settling.py on PostgreSQL: items an app event settles are marked done by it,
with the event as their evidence, once, and never over a status set by hand."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from django.utils import dateformat, timezone

from cto.checklists import services
from cto.checklists.models import Checklist, ChecklistTemplate, ChecklistTemplateVersion
from cto.core.versioning import publish_version, store_version
from cto.engagements.models import ActivityEvent, Engagement
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping
from cto.pricing.models import Quote
from cto.reports.models import Report
from cto.reports.narratives import narrative_save
from cto.reports.services import report_render, report_request
from cto.users.models import User
from tests.audits.factories import AuditFactory
from tests.checklists.conftest import item
from tests.pricing.factories import QuoteFactory
from tests.reports.factories import ReportableEngagementFactory
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def today_in_words() -> str:
    return dateformat.format(timezone.localdate(), "j F Y")


def publish_settled_by(settled_by: dict[str, str]) -> ChecklistTemplateVersion:
    """The shipped template with ``settled_by`` set on the items named, published."""
    definition = read_yaml_mapping((PLAYBOOKS_DIR / "checklists" / "week-one.yaml").read_bytes())
    edited: dict[str, Any] = copy.deepcopy(definition)
    for raw in edited["items"]:
        if raw["key"] in settled_by:
            raw["settled_by"] = settled_by[raw["key"]]
    version, _ = store_version(
        parent_model=ChecklistTemplate,
        version_model=ChecklistTemplateVersion,
        parent_field="template",
        slug="week-one",
        title="Week-one deliverables",
        definition=edited,
        source_name="test",
        by=None,
    )
    publish_version(version=version, by=None)
    return version


@pytest.fixture
def contact(engagement: Engagement) -> User:
    person = MembershipFactory(organization=engagement.organization, user__name="Ada Lovell").user
    Engagement.objects.filter(pk=engagement.pk).update(contact=person)
    engagement.refresh_from_db()
    return person


def test_the_shipped_template_settles_the_audit_item_and_the_three_proofs_by_their_events(
    checklist: Checklist,
) -> None:
    settled = dict(checklist.items.exclude(settled_by="").values_list("key", "settled_by"))
    assert settled == {
        "readiness_audit": "audit_submitted",
        # Week one's three proofs, done by their receipts (tests/checklists/test_receipt_items.py).
        "first_trace": "trace_receipt",
        "first_eval": "eval_receipt",
        "first_failure_mode": "failure_mode_confirmed",
    }


def test_submitting_an_audit_settles_the_audit_item_with_the_event_as_evidence(
    checklist: Checklist, contact: User
) -> None:
    AuditFactory(engagement=checklist.engagement, by=contact)

    settled = item(checklist, "readiness_audit")
    assert settled.status == "done"
    assert settled.done_by == contact
    assert settled.effective_date == timezone.localdate()
    assert [e.note for e in settled.evidence.all()] == [
        f"Audit 1 submitted by Ada Lovell on {today_in_words()}"
    ]
    assert checklist.engagement.events.filter(
        verb=ActivityEvent.Verb.CHECKLIST_CHANGED,
        data__change__startswith="AI readiness audit: marked done (Audit 1 submitted",
    ).exists()
    # Only the item waiting for it.
    assert item(checklist, "use_cases").status == "todo"


def test_a_second_audit_leaves_the_settled_item_as_it_was(
    checklist: Checklist, contact: User
) -> None:
    AuditFactory(engagement=checklist.engagement, by=contact)
    first = item(checklist, "readiness_audit")
    AuditFactory(engagement=checklist.engagement, by=contact)

    again = item(checklist, "readiness_audit")
    assert (again.version, again.evidence.count()) == (first.version, 1)


def test_an_item_finished_by_hand_is_not_settled_over(
    checklist: Checklist, contact: User, operator: User
) -> None:
    services.item_set_status(
        item=item(checklist, "readiness_audit"),
        status="not_applicable",
        reason="Audited elsewhere",
        expected_version=None,
        by=operator,
    )
    AuditFactory(engagement=checklist.engagement, by=contact)

    kept = item(checklist, "readiness_audit")
    assert (kept.status, kept.status_reason) == ("not_applicable", "Audited elsewhere")
    assert not kept.evidence.exists()


def test_an_audit_submitted_before_the_checklist_settles_its_item_when_applied(
    template: ChecklistTemplateVersion, engagement: Engagement, contact: User, operator: User
) -> None:
    AuditFactory(engagement=engagement, by=contact)
    AuditFactory(engagement=engagement, by=operator)  # the latest submission counts

    checklist = services.checklist_apply(engagement=engagement, by=operator).checklist

    settled = item(checklist, "readiness_audit")
    assert settled.status == "done"
    assert [e.note for e in settled.evidence.all()] == [
        f"Audit 2 submitted by {operator} on {today_in_words()}"
    ]


def test_an_accepted_quote_settles_its_item_when_the_engagement_becomes_active(
    template: ChecklistTemplateVersion, engagement: Engagement, contact: User
) -> None:
    publish_settled_by({"access_granted": "quote_accepted"})

    quote = QuoteFactory(engagement=engagement, status=Quote.Status.ACCEPTED)

    settled = item(Checklist.objects.get(engagement=engagement), "access_granted")
    assert settled.status == "done"
    assert [e.note for e in settled.evidence.all()] == [
        f"Quote {quote.number}.{quote.revision} accepted by Ada Lovell on {today_in_words()}"
    ]


def test_the_final_week_one_report_settles_its_item_and_a_draft_does_not(
    template: ChecklistTemplateVersion,
) -> None:
    publish_settled_by({"roadmap_cleanup": "report_ready"})
    engagement = ReportableEngagementFactory()
    Engagement.objects.filter(pk=engagement.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    engagement.refresh_from_db()
    checklist = services.checklist_apply(engagement=engagement, by=engagement.lead).checklist
    draft = report_request(engagement=engagement, kind=Report.Kind.WEEK_ONE, by=engagement.lead)
    report_render(report_id=draft.pk)
    assert item(checklist, "roadmap_cleanup").status == "todo"

    narrative_save(
        engagement=engagement,
        kind=Report.Kind.WEEK_ONE,
        summary="The first week in short.",
        findings="",
        risks="",
        next_steps=[],
        expected_version=None,
        by=engagement.lead,
    )
    final = report_request(
        engagement=engagement,
        kind=Report.Kind.WEEK_ONE,
        by=engagement.lead,
        release=Report.Release.FINAL,
    )
    rendered = report_render(report_id=final.pk)
    assert rendered is not None
    assert rendered.status == Report.Status.READY

    settled = item(checklist, "roadmap_cleanup")
    assert settled.status == "done"
    assert [e.note for e in settled.evidence.all()] == [
        f"Week-one deliverable v{final.number} ready on {today_in_words()}"
    ]
