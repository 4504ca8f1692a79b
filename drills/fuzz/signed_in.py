"""The signed-in side of the fuzz's world: an operator, a client organisation whose engagement
has one of everything a form can act on (an open audit, an AI plan with a candidate and a
proposed failure mode, a checklist with evidence, a sent quote and a draft one, a queued and a
failed report, a team with a member and an open invitation), and a foreign organisation with
the same, whose ids the fuzz forges into the client's URLs. All made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from cto.aiplan.proposals import failure_mode_propose
from cto.aiplan.services import candidate_add, plan_start
from cto.api.service_accounts import service_account_create
from cto.api.services import token_create
from cto.audits.services import audit_open
from cto.checklists.services import checklist_apply, evidence_add
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_create, engagement_transition
from cto.playbooks.loading import playbooks_load
from cto.pricing.models import QuoteLine
from cto.pricing.services import quote_draft, quote_line_add, quote_send
from cto.receipts.services import receipt_add
from cto.reports import services as report_services
from cto.reports.models import Report
from cto.users import services as user_services
from cto.users.models import Membership, Organization, User
from cto.webhooks import services as webhook_services
from cto.webhooks.models import Endpoint

PASSWORD = "fuzz horse battery staple"  # noqa: S105  # throwaway users', rolled back
# A one-page blank PDF with a correct cross-reference table (as pypdf writes it): the evidence
# checks read PDFs through and refuse ones they cannot.
PDF = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\n/Producer (pypdf)\n>>\nendobj\n"
    b"2 0 obj\n<<\n/Type /Pages\n/Count 1\n/Kids [ 4 0 R ]\n>>\nendobj\n"
    b"3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n"
    b"4 0 obj\n<<\n/Type /Page\n/Resources <<\n>>\n/MediaBox [ 0.0 0.0 72 72 ]\n"
    b"/Parent 2 0 R\n>>\nendobj\n"
    b"xref\n0 5\n0000000000 65535 f \n0000000015 00000 n \n0000000054 00000 n \n"
    b"0000000113 00000 n \n0000000162 00000 n \n"
    b"trailer\n<<\n/Size 5\n/Root 3 0 R\n/Info 1 0 R\n>>\nstartxref\n254\n%%EOF\n"
)
# One test passed, one failed: a JUnit file as pytest writes it.
FAILING_JUNIT = (
    b'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2" '
    b'failures="1"><testcase classname="evals" name="test_refund_policy" time="0.1"/>'
    b'<testcase classname="evals" name="test_cites_current_handbook" time="0.1">'
    b'<failure message="quoted the 2023 handbook">assert "2025" in answer</failure>'
    b"</testcase></testsuite></testsuites>"
)


@dataclass(frozen=True)
class SignedIn:
    operator: User
    client: User  # owner of ``organization``
    organization: Organization
    engagement: Engagement
    foreign: Engagement  # another organisation's: its ids must answer 404 to ``client``
    foreign_client: User  # owner of the other organisation


def _engagement_with_everything(
    *, organization: Organization, contact: User, operator: User, title: str
) -> Engagement:
    engagement = engagement_create(
        organization=organization, title=title, kind="ai", lead=operator, contact=contact, by=None
    )
    engagement = engagement_transition(engagement=engagement, to="qualified", by=operator)
    audit_open(engagement=engagement, by=operator)
    plan = plan_start(engagement=engagement, by=operator)
    candidate_add(plan=plan, name="Model A", by=operator)
    # A gate's receipt with a failing case, so that the page offers to propose it.
    receipt_add(
        gate=plan.gates.get(key="golden_set"),
        upload=SimpleUploadedFile("junit.xml", FAILING_JUNIT, content_type="application/xml"),
        by=contact,
    )
    failure_mode_propose(
        plan=plan,
        title="Answers cite a retired policy",
        look_first="retrieval",
        evidence="Asked about leave; the answer quoted the 2023 handbook.",
        by=contact,
    )
    checklist = checklist_apply(engagement=engagement, by=operator).checklist
    evidence_add(
        item=checklist.items.get(key="risk_map"),
        upload=SimpleUploadedFile("risk.pdf", PDF, content_type="application/pdf"),
        by=operator,
    )
    sent = quote_draft(engagement=engagement, tier_keys=["ai-cto-lead"], by=operator)
    quote_send(quote=sent, by=operator)
    draft = quote_draft(
        engagement=engagement, tier_keys=["ai-cto-advisor", "ai-cto-lead"], by=operator
    )
    quote_line_add(  # an operator's own line: the draft's page offers to remove it
        option=draft.options.all()[0],
        label="Extra review",
        kind=QuoteLine.Kind.AMOUNT,
        period=QuoteLine.Period.ONE_OFF,
        value=Decimal(500),
        reason="the fuzz's",
        by=operator,
    )
    report_services.report_request(engagement=engagement, kind=Report.Kind.WEEK_ONE, by=operator)
    failed = report_services.report_request(
        engagement=engagement, kind=Report.Kind.WEEK_ONE, by=operator
    )
    # As the worker marks a render that gave up: the reports card then offers "Retry".
    report_services._fail(failed.pk, "the fuzz's failed render")
    return engagement


def _organization(name: str, owner_email: str, operator: User) -> tuple[Organization, User]:
    # A password, so that allauth's change-password page has a form to fuzz.
    owner, _ = user_services.user_get_or_create(email=owner_email, name="Owner", password=PASSWORD)
    user_services.user_mark_email_verified(user=owner)
    organization, _ = user_services.organization_get_or_create(name=name)
    user_services.membership_ensure(
        organization=organization, user=owner, role=Membership.Role.OWNER
    )
    member, _ = user_services.user_get_or_create(email=f"member.{owner_email}", name="Member")
    user_services.membership_ensure(
        organization=organization, user=member, role=Membership.Role.MEMBER
    )
    user_services.invitation_send(
        organization=organization,
        email=f"invited.{owner_email}",
        role=Membership.Role.MEMBER,
        by=owner,
    )
    return organization, owner


def build_signed_in() -> SignedIn:
    playbooks_load(publish=True)  # the templates and tiers; a no-op where they are loaded
    operator, _ = user_services.user_get_or_create(
        email="operator@practice.example", name="Olive Operator", is_staff=True
    )
    user_services.user_mark_email_verified(user=operator)
    organization, client = _organization("Initech", "owner@initech.example", operator)
    foreign_organization, foreign_client = _organization(
        "Umbrella", "owner@umbrella.example", operator
    )
    engagement = _engagement_with_everything(
        organization=organization, contact=client, operator=operator, title="Initech's AI"
    )
    # An active engagement with nothing yet: its pages offer to start each thing (a plan, an
    # audit, a checklist, a quote) and the dashboard offers its week-one report.
    bare = engagement_create(
        organization=organization, title="Initech's agents", kind="ai", contact=client, by=None
    )
    for stage in ("qualified", "proposal", "active"):
        bare = engagement_transition(engagement=bare, to=stage, by=operator)
    foreign = _engagement_with_everything(
        organization=foreign_organization,
        contact=foreign_client,
        operator=operator,
        title="Umbrella's AI",
    )
    # An API token each, so that the token page lists one to revoke, and a foreign id exists.
    for person in (client, foreign_client):
        token_create(user=person, name="CI", scope="read", by=person)
    # A service account with a token, so that its page offers a token to revoke, a new token
    # and deactivation.
    pipeline = service_account_create(name="Initech CI", organization=organization, by=operator)
    token_create(user=pipeline, name="GitHub Actions", scope="read", by=operator)
    # A webhook endpoint each, with a delivery, so that its page offers its forms (change,
    # delete, replay) and a foreign id exists. Made as rows: registering one resolves its host.
    for owned, made in ((organization, engagement), (foreign_organization, foreign)):
        Endpoint.objects.create(
            organization=owned,
            url=f"https://hooks.{owned.name.lower()}.example/in",
            secret=webhook_services.secret_make(),
            event_types=["engagement.stage_changed"],
        )
        event = made.events.filter(verb="engagement.stage_changed").first()
        if event is not None:
            webhook_services.outbox_write(event=event)
    return SignedIn(
        operator=operator,
        client=client,
        organization=organization,
        engagement=engagement,
        foreign=foreign,
        foreign_client=foreign_client,
    )
