"""The dashboard's reads on PostgreSQL: the board by stage with its counts and revenue, what
needs attention (each threshold on both sides of its boundary, and the words and links the
dashboard shows; which rows each app finds is tested beside its selectors), and search across
every organisation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from cto.audits.models import Audit
from cto.audits.services import AnswerInput, audit_answer_save
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.intake.models import IntakeResponse
from cto.ops import selectors
from cto.ops.selectors import AttentionKind
from cto.pricing import services as pricing_services
from cto.pricing.models import PricingTier, Quote
from cto.pricing.playbooks import tier_load_shipped
from cto.reports.services import report_request
from cto.users.models import Organization, User
from tests.checklists.test_selectors import checklist_item
from tests.clock import TODAY, days_ago, moment
from tests.engagements.factories import EngagementFactory
from tests.engagements.test_selectors import lead_last_active_at
from tests.intake.factories import publish_shipped_tree
from tests.pricing.test_selectors import expire_in
from tests.reports.test_selectors import fail
from tests.users.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def of_kind(kind: AttentionKind) -> list[selectors.AttentionItem]:
    return [item for item in selectors.attention_list(today=TODAY) if item.kind == kind]


# --- The pipeline board --------------------------------------------------------------------------


def test_the_board_lists_every_stage_in_order_with_its_engagements_and_count(
    organization: Organization,
) -> None:
    EngagementFactory.create_batch(3, organization=organization, stage=Stage.LEAD)
    EngagementFactory(organization=organization, stage=Stage.AUDIT)
    EngagementFactory.create_batch(2, organization=organization, stage=Stage.ACTIVE)
    EngagementFactory(organization=organization, stage=Stage.PAUSED, paused_from=Stage.ACTIVE)

    board = selectors.pipeline_board()

    counts = [(column.stage.value, column.count) for column in board.columns]
    assert counts == [
        ("lead", 3),
        ("qualified", 0),
        ("audit", 1),
        ("proposal", 0),
        ("active", 2),
        ("ongoing", 0),
        ("completed", 0),
        ("paused", 1),
        ("lost", 0),
    ]
    for column in board.columns:
        assert {e.stage for e in column.engagements} <= {column.stage.value}
        assert len(column.engagements) == column.count
    assert board.open_count == 7


def test_an_open_stage_shows_the_longest_waiting_first(organization: Organization) -> None:
    newer = EngagementFactory(organization=organization, stage_changed_at=moment(days_ago(1)))
    older = EngagementFactory(organization=organization, stage_changed_at=moment(days_ago(9)))
    lead = selectors.pipeline_board().columns[0]
    assert lead.engagements == [older, newer]


def test_a_closed_stage_shows_its_latest_few_but_counts_them_all(
    organization: Organization,
) -> None:
    done = [
        EngagementFactory(
            organization=organization, stage=Stage.COMPLETED, stage_changed_at=moment(days_ago(n))
        )
        for n in range(1, 8)
    ]
    column = next(c for c in selectors.pipeline_board().columns if c.stage == Stage.COMPLETED)
    assert column.count == 7
    assert column.engagements == done[: selectors.CLOSED_SHOWN]  # the latest first
    assert column.more == 2
    assert selectors.pipeline_board().open_count == 0


def accepted_quote(engagement: Engagement, *, operator: User, member: User) -> Quote:
    """A one-option quote on the Lead tier, drafted, sent and signed by ``member``."""
    tier_load_shipped(publish=True)
    quote = pricing_services.quote_draft(
        engagement=engagement, tier_keys=["ai-cto-lead"], by=operator
    )
    quote = pricing_services.quote_send(quote=quote, by=operator)
    signature = pricing_services.Signature(
        option=quote.options.get(),
        full_name="Pat Lee",
        agreed_to_terms=True,
        ip=None,
        user_agent="test",
    )
    return pricing_services.quote_accept(quote=quote, signature=signature, by=member)


def test_the_board_sums_the_monthly_value_of_accepted_quotes(
    engagement: Engagement, client_user: User, operator: User
) -> None:
    assert selectors.pipeline_board().mrr == []
    accepted_quote(engagement, operator=operator, member=client_user)

    board = selectors.pipeline_board()
    retainer = PricingTier.objects.get(key="ai-cto-lead").monthly_retainer
    assert retainer > Decimal(0)
    assert board.mrr == [("EUR", retainer)]
    active = next(c for c in board.columns if c.stage == Stage.ACTIVE)
    assert active.engagements == [engagement]  # accepting moved it to active


@pytest.mark.parametrize("count", [3, 12])
def test_the_board_costs_a_fixed_number_of_queries_however_many_engagements(
    engagement: Engagement,
    client_user: User,
    operator: User,
    django_assert_num_queries,
    count: int,
) -> None:
    accepted_quote(engagement, operator=operator, member=client_user)
    stages = [Stage.LEAD, Stage.QUALIFIED, Stage.ACTIVE, Stage.COMPLETED]
    for index in range(count - 1):
        EngagementFactory(organization=engagement.organization, stage=stages[index % 4])
    # every stage's count; per stage (nine), its engagements shown with their organisations and
    # leads; the accepted quotes' monthly totals summed per currency
    assert len(selectors.BOARD_STAGES) == 9
    with django_assert_num_queries(11):
        board = selectors.pipeline_board()
        assert sum(column.count for column in board.columns) == count
        assert all(e.organization.name for c in board.columns for e in c.engagements)
        assert all(str(e.lead) for c in board.columns for e in c.engagements)


# --- Overdue checklist items ---------------------------------------------------------------------


def test_an_item_due_yesterday_is_overdue(running: Engagement) -> None:
    checklist_item(running, due_day=6, title="Access granted")  # day 6 is yesterday
    [item] = of_kind(AttentionKind.OVERDUE_ITEMS)
    assert item.engagement == running
    assert item.reason == "“Access granted” was due Tue 10 Mar (yesterday)."
    assert item.url == f"/portal/engagements/{running.pk}/checklist/?filter=overdue"


def test_overdue_items_are_one_entry_per_engagement_naming_the_oldest(
    running: Engagement,
) -> None:
    checklist_item(running, due_day=5, title="Risk map")
    checklist_item(running, due_day=2, title="Access granted")
    checklist_item(running, due_day=9, title="Not yet due")
    [item] = of_kind(AttentionKind.OVERDUE_ITEMS)
    assert item.reason == (
        "2 checklist items are overdue; the oldest, “Access granted”, was due Fri 6 Mar "
        "(5 days ago)."
    )


def test_the_overdue_group_counts_every_engagement_behind_the_ones_it_shows(
    running: Engagement, organization: Organization
) -> None:
    engagements = [running] + [
        EngagementFactory(organization=organization, stage=Stage.ACTIVE, start_date=days_ago(6))
        for _ in range(selectors.ATTENTION_SHOWN + 2)
    ]
    for index, engagement in enumerate(engagements):
        # Several overdue items each, in varying numbers: engagements are counted, not items.
        for day in range(1, 2 + index % 3):
            checklist_item(engagement, due_day=day, title=f"Item {day}")
    [group] = [
        group
        for group in selectors.attention_groups(selectors.attention_list(today=TODAY))
        if group.kind == AttentionKind.OVERDUE_ITEMS
    ]
    assert len(group.items) == selectors.ATTENTION_SHOWN
    assert group.total == selectors.ATTENTION_SHOWN + 3
    assert group.more == 3


# --- Audits waiting on the client ----------------------------------------------------------------


def test_an_audit_opened_three_days_ago_without_an_answer_is_waiting(
    audit: Audit, engagement: Engagement
) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(3), 9))
    [item] = of_kind(AttentionKind.AUDIT_WAITING)
    assert item.engagement == engagement
    assert item.reason == "Audit 1 has no answer yet; it was opened Sun 8 Mar (3 days ago)."
    assert item.url == audit.get_absolute_url()


def test_an_audit_opened_two_days_ago_is_not_waiting_yet(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(2), 23, 59))
    assert of_kind(AttentionKind.AUDIT_WAITING) == []


def test_a_recent_answer_keeps_an_old_audit_off_the_list(audit: Audit, client_user: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(created_at=moment(days_ago(10)))
    question = next(iter(audit.template_version.parsed().questions))
    audit_answer_save(
        audit=audit, raw=AnswerInput(question, 2), expected_version=None, by=client_user
    )
    assert of_kind(AttentionKind.AUDIT_WAITING) == []  # answered just now

    Audit.objects.filter(pk=audit.pk).update(last_answered_at=moment(days_ago(1)))
    assert of_kind(AttentionKind.AUDIT_WAITING) == []

    Audit.objects.filter(pk=audit.pk).update(last_answered_at=moment(days_ago(4)))
    [item] = of_kind(AttentionKind.AUDIT_WAITING)
    assert item.reason == "Audit 1 has 1 answer and none since Sat 7 Mar (4 days ago)."


# --- Failed reports ------------------------------------------------------------------------------


def test_a_failed_report_needs_attention_until_a_newer_version_replaces_it(
    engagement: Engagement, operator: User
) -> None:
    report = report_request(engagement=engagement, kind="week_one", by=operator)
    assert of_kind(AttentionKind.REPORT_FAILED) == []  # queued is not failed

    fail(report)
    [item] = of_kind(AttentionKind.REPORT_FAILED)
    assert item.engagement == engagement
    assert item.reason == "Week-one deliverable v1 failed after 3 attempts: ValueError: no fonts"
    assert item.url == engagement.get_absolute_url() + "#reports-heading"

    report_request(engagement=engagement, kind="week_one", by=operator)
    assert of_kind(AttentionKind.REPORT_FAILED) == []


# --- Quotes about to expire ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        (6, "Quote 1.1 expires in 6 days (Tue 17 Mar) and has no answer yet."),
        (7, "Quote 1.1 expires in 7 days (Wed 18 Mar) and has no answer yet."),
        (0, "Quote 1.1 expires today (Wed 11 Mar) and has no answer yet."),
        (
            -2,
            "Quote 1.1 expired Mon 9 Mar (2 days ago) without an answer: "
            "revise it or mark the engagement lost.",
        ),
    ],
)
def test_a_sent_quote_expiring_within_a_week_needs_attention(
    sent_quote: Quote, days: int, reason: str
) -> None:
    expire_in(sent_quote, days)
    [item] = of_kind(AttentionKind.QUOTE_EXPIRING)
    assert item.reason == reason
    assert item.url == sent_quote.get_absolute_url()


def test_a_quote_expiring_in_eight_days_does_not(sent_quote: Quote) -> None:
    expire_in(sent_quote, 8)
    assert of_kind(AttentionKind.QUOTE_EXPIRING) == []


# --- Stale leads ---------------------------------------------------------------------------------


def test_a_lead_last_touched_two_days_ago_is_stale(organization: Organization) -> None:
    lead = lead_last_active_at(moment(days_ago(2), 23, 59, 59), organization)
    [item] = of_kind(AttentionKind.STALE_LEAD)
    assert item.engagement == lead
    assert item.reason == (
        "No activity for 2 days (the last on Mon 9 Mar); "
        "the intake promised a reply within two working days."
    )
    assert item.url == lead.get_absolute_url()


def test_a_lead_touched_yesterday_is_not_stale(organization: Organization) -> None:
    lead_last_active_at(moment(days_ago(1), 0, 0, 0), organization)
    assert of_kind(AttentionKind.STALE_LEAD) == []


def test_every_kind_has_a_group_and_an_empty_state() -> None:
    groups = selectors.attention_groups(selectors.attention_list(today=TODAY))
    assert [group.kind for group in groups] == list(AttentionKind)
    assert all(group.items == [] for group in groups)
    assert groups[2].empty_state == "No failed reports."


# --- Search --------------------------------------------------------------------------------------


@pytest.fixture
def people(organization: Organization, other_organization: Organization) -> dict[str, User]:
    return {
        "ada": MembershipFactory(
            organization=organization,
            user=UserFactory(name="Ada Lovelace", email="ada@acme.example"),
        ).user,
        "grace": MembershipFactory(
            organization=other_organization,
            user=UserFactory(name="Grace Hopper", email="grace@globex.example"),
        ).user,
    }


def test_search_finds_organisations_by_name_whatever_the_case(
    organization: Organization, other_organization: Organization, engagement: Engagement
) -> None:
    results = selectors.ops_search(query="ACME rob")
    assert results.organizations == [organization]
    assert list(results.organizations[0].engagements.all()) == [engagement]
    assert selectors.ops_search(query="globex").organizations == [other_organization]


def test_search_finds_people_by_email_or_name_in_every_organisation(
    people: dict[str, User],
) -> None:
    assert selectors.ops_search(query="globex.EXAMPLE").people == [people["grace"]]
    assert selectors.ops_search(query="lovelace").people == [people["ada"]]
    assert selectors.ops_search(query=".example").people == [people["ada"], people["grace"]]


def test_search_finds_engagements_by_title_across_organisations(
    engagement: Engagement, foreign_engagement: Engagement
) -> None:
    results = selectors.ops_search(query="secret PROJECT")
    assert results.engagements == [foreign_engagement]
    assert selectors.ops_search(query=engagement.title.upper()).engagements == [engagement]


def test_search_finds_intake_contacts_by_name_company_and_email(engagement: Engagement) -> None:
    submitted = IntakeResponse.objects.create(
        tree_version=publish_shipped_tree(),
        status=IntakeResponse.Status.SUBMITTED,
        submitted_at=timezone.now(),
        consent_at=timezone.now(),
        contact_name="Pat Lee",
        contact_email="pat@initech.example",
        company="Initech",
        engagement=engagement,
    )
    assert selectors.ops_search(query="initech").intake_contacts == [submitted]
    assert selectors.ops_search(query="PAT@initech").intake_contacts == [submitted]
    assert selectors.ops_search(query="pat lee").intake_contacts == [submitted]
    assert selectors.ops_search(query="initech").intake_contacts[0].engagement == engagement


def test_search_stops_at_the_limit_of_each_kind(organization: Organization) -> None:
    EngagementFactory.create_batch(
        selectors.SEARCH_LIMIT + 3, organization=organization, title="Data platform"
    )
    assert len(selectors.ops_search(query="platform").engagements) == selectors.SEARCH_LIMIT


@pytest.mark.parametrize("query", ["", " ", "a", "  a  "])
def test_a_blank_or_one_character_query_finds_nothing_and_asks_nothing(
    query: str, engagement: Engagement, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        results = selectors.ops_search(query=query)
    assert not results.searched
    assert results.total == 0


def test_search_finds_nothing_that_does_not_match(engagement: Engagement) -> None:
    results = selectors.ops_search(query="zebra")
    assert results.searched
    assert results.total == 0
