"""cto/ops/views.py through the client: who gets in to the dashboard, what it shows, search, the
htmx quick actions and what they write (or refuse to), and a query count that does not grow."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from cto.audits.models import Audit
from cto.audits.playbooks import audit_template_load_shipped
from cto.audits.services import audit_open
from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.checklists.services import current_template
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record, engagement_transition
from cto.engagements.stages import Stage
from cto.pricing import services as pricing_services
from cto.pricing.models import Quote
from cto.pricing.playbooks import tier_load_shipped
from cto.reports.models import Report
from cto.reports.services import report_request
from cto.users.models import Organization, User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ANNOUNCER = '<div id="announcer" hx-swap-oob="innerHTML">'  # the page's live region, out of band


@pytest.fixture
def operator_client(client: Client, operator: User) -> Client:
    client.force_login(operator)
    return client


def advance_url(engagement: Engagement) -> str:
    return reverse("ops:advance", args=[engagement.pk])


def report_url(engagement: Engagement) -> str:
    return reverse("ops:report", args=[engagement.pk])


# --- Who gets in ---------------------------------------------------------------------------------


def every_url(engagement: Engagement) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("get", reverse("ops:dashboard"), {}),
        ("get", reverse("ops:search"), {"q": "acme"}),
        ("post", advance_url(engagement), {"to": "qualified", "version": "1"}),
        ("post", report_url(engagement), {}),
        ("get", reverse("ops:export", args=["leads"]), {}),
        ("get", reverse("ops:export", args=["checklists"]), {}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "member", "outsider"])
@pytest.mark.parametrize("htmx", [False, True])
def test_only_operators_reach_the_dashboard_and_its_actions(
    client: Client,
    client_user: User,
    foreign_engagement: Engagement,
    engagement: Engagement,
    who: str,
    htmx: bool,
) -> None:
    if who == "member":
        client.force_login(client_user)
    elif who == "outsider":
        client.force_login(MembershipFactory(organization=foreign_engagement.organization).user)
    events = ActivityEvent.objects.count()
    for method, url, data in every_url(engagement):
        response = getattr(client, method)(url, data, headers=HTMX if htmx else {})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        assert "acme" not in response.text.lower()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.LEAD
    assert ActivityEvent.objects.count() == events
    assert not Report.objects.exists()


@pytest.mark.parametrize("name", ["ops:dashboard", "ops:search"])
def test_pages_answer_only_get_and_are_never_cached(operator_client: Client, name: str) -> None:
    response = operator_client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert operator_client.post(reverse(name)).status_code == 405


def test_actions_answer_only_post(operator_client: Client, engagement: Engagement) -> None:
    assert operator_client.get(advance_url(engagement)).status_code == 405
    assert operator_client.get(report_url(engagement)).status_code == 405


def test_an_unknown_engagement_is_404(operator_client: Client) -> None:
    response = operator_client.post(reverse("ops:advance", args=[999999]), {"to": "qualified"})
    assert response.status_code == 404


# --- The page ------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_board_by_stage(
    operator_client: Client, engagement: Engagement, foreign_engagement: Engagement
) -> None:
    Engagement.objects.filter(pk=foreign_engagement.pk).update(stage=Stage.ACTIVE)
    response = operator_client.get(reverse("ops:dashboard"))
    assert response.status_code == 200
    board = response.context["board"]
    lead = next(c for c in board.columns if c.stage == Stage.LEAD)
    active = next(c for c in board.columns if c.stage == Stage.ACTIVE)
    assert (lead.engagements, active.engagements) == ([engagement], [foreign_engagement])
    text = response.text
    assert 'id="stage-lead"' in text
    assert f'id="engagement-{engagement.pk}"' in text
    assert "Globex secret project" in text  # operators see every organisation
    assert "No engagement at this stage." in text
    # Cards of running engagements offer the week-one report; a lead's does not.
    assert report_url(foreign_engagement) in text
    assert report_url(engagement) not in text
    assert "no-store" in response["Cache-Control"]


def test_the_dashboard_says_when_nothing_needs_attention(operator_client: Client) -> None:
    text = operator_client.get(reverse("ops:dashboard")).text
    for empty in (
        "No overdue checklist items.",
        "No audit is waiting on a client.",
        "No failed reports.",
        "No quote expires in the next week.",
        "No stale leads.",
    ):
        assert empty in text


def test_the_dashboard_lists_what_needs_attention(
    operator_client: Client, engagement: Engagement, operator: User
) -> None:
    report = report_request(engagement=engagement, kind="week_one", by=operator)
    Report.objects.filter(pk=report.pk).update(status="failed", attempts=3, error="OSError: disk")
    text = operator_client.get(reverse("ops:dashboard")).text
    assert "Week-one deliverable v1 failed after 3 attempts: OSError: disk" in text
    assert "No failed reports." not in text
    assert f'href="{engagement.get_absolute_url()}#reports-heading"' in text


def test_the_dashboard_links_the_admin_for_content(operator_client: Client) -> None:
    text = operator_client.get(reverse("ops:dashboard")).text
    for name in (
        "admin:intake_decisiontree_changelist",
        "admin:audits_audittemplate_changelist",
        "admin:pricing_pricingtier_changelist",
        "admin:engagements_engagement_changelist",
    ):
        assert f'href="{reverse(name)}"' in text


def test_the_page_has_no_inline_script_or_style(operator_client: Client) -> None:
    text = operator_client.get(reverse("ops:dashboard")).text
    assert "<script>" not in text
    assert "style=" not in text
    assert "<style" not in text


# --- Search --------------------------------------------------------------------------------------


def test_search_is_a_page_without_javascript(
    operator_client: Client, engagement: Engagement, foreign_engagement: Engagement
) -> None:
    response = operator_client.get(reverse("ops:search"), {"q": "GLOBEX"})
    assert response.status_code == 200
    assert "<html" in response.text
    assert 'value="GLOBEX"' in response.text
    assert "Globex Freight" in response.text
    assert "Globex secret project" in response.text
    assert "Acme Robotics" not in response.text


def test_live_search_gets_only_the_results(
    operator_client: Client, engagement: Engagement, client_user: User
) -> None:
    response = operator_client.get(reverse("ops:search"), {"q": client_user.email}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="found-people"' in response.text
    assert client_user.email in response.text
    assert "Acme Robotics" in response.text  # the organisation they belong to
    said = response.text.split(ANNOUNCER, 1)[1]
    assert said.startswith("1 result for “")  # how many, said in the page's live region
    short = operator_client.get(reverse("ops:search"), {"q": "a"}, headers=HTMX)
    assert f"{ANNOUNCER}Type at least two characters.</div>" in short.text


def test_search_box_searches_as_you_type(operator_client: Client) -> None:
    text = operator_client.get(reverse("ops:dashboard")).text
    assert 'hx-trigger="input changed delay:300ms, search"' in text
    assert f'hx-get="{reverse("ops:search")}"' in text


def test_a_one_character_search_finds_nothing(
    operator_client: Client, engagement: Engagement
) -> None:
    response = operator_client.get(reverse("ops:search"), {"q": "a"}, headers=HTMX)
    assert "Type at least two characters." in response.text
    assert engagement.title not in response.text


@pytest.mark.parametrize("query", ["acme\x00", "\x00", "x" * 201])
def test_a_search_the_form_refuses_gets_its_message_and_no_results(
    operator_client: Client, engagement: Engagement, query: str
) -> None:
    response = operator_client.get(reverse("ops:search"), {"q": query}, headers=HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert ("Null characters" if "\x00" in query else "at most 200 characters") in response.text
    assert engagement.title not in response.text


# --- Advancing a stage ---------------------------------------------------------------------------


def test_advancing_through_htmx_returns_the_card_at_the_new_stage(
    operator_client: Client, engagement: Engagement, operator: User
) -> None:
    response = operator_client.post(
        advance_url(engagement), {"to": "qualified", "version": engagement.version}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<article id="engagement-{engagement.pk}"')
    assert "<html" not in response.text
    assert 'badge-qualified">Qualified<' in response.text
    assert "Moved to “Qualified”." in response.text
    # Said in the page's live region too (the card it was shown in is replaced).
    assert f"{ANNOUNCER}{engagement.title}: Moved to “Qualified”.</div>" in response.text
    assert "no-store" in response["Cache-Control"]
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    assert f'name="version" value="{engagement.version}"' in response.text  # ready for the next
    event = engagement.events.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
    assert (event.actor, event.data) == (operator, {"from": "lead", "to": "qualified"})


def test_a_stale_card_is_refused_with_409_and_writes_nothing(
    operator_client: Client, engagement: Engagement, operator: User
) -> None:
    seen = engagement.version
    engagement_transition(engagement=engagement, to="qualified", by=operator)  # someone else
    events = ActivityEvent.objects.count()
    response = operator_client.post(
        advance_url(engagement), {"to": "lost", "version": seen}, headers=HTMX
    )
    assert response.status_code == 409
    assert "changed by someone else since you opened it" in response.text
    assert 'role="alert"' in response.text
    assert "announcer" not in response.text  # the alert is what is read out
    # The card shows the stage as it is now, so the operator can decide again.
    assert 'badge-qualified">Qualified<' in response.text
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    assert ActivityEvent.objects.count() == events


def test_an_illegal_move_is_refused_with_422_and_says_what_is_allowed(
    operator_client: Client, engagement: Engagement
) -> None:
    response = operator_client.post(
        advance_url(engagement), {"to": "completed", "version": engagement.version}, headers=HTMX
    )
    assert response.status_code == 422
    assert "cannot move to “Completed”" in response.text
    assert "it can move to “Qualified”" in response.text
    engagement.refresh_from_db()
    assert engagement.stage == Stage.LEAD
    assert not engagement.events.exists()


def test_a_plain_post_moves_and_redirects_back_with_a_message(
    operator_client: Client, engagement: Engagement
) -> None:
    response = operator_client.post(
        advance_url(engagement), {"to": "qualified", "version": engagement.version}
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("ops:dashboard")
    page = operator_client.get(response["Location"])
    assert f"{engagement.title}: Moved to “Qualified”." in page.text
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED


def test_a_plain_post_refused_redirects_back_with_the_reason(
    operator_client: Client, engagement: Engagement
) -> None:
    response = operator_client.post(advance_url(engagement), {"to": "ongoing"}, follow=True)
    assert response.redirect_chain == [(reverse("ops:dashboard"), 303)]
    assert "cannot move to “Ongoing”" in response.text
    engagement.refresh_from_db()
    assert engagement.stage == Stage.LEAD


# --- Generating a report -------------------------------------------------------------------------


def test_generating_a_report_through_htmx_queues_one(
    operator_client: Client, engagement: Engagement, operator: User
) -> None:
    response = operator_client.post(report_url(engagement), headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<article id="engagement-{engagement.pk}"')
    assert "Week-one report v1 is queued" in response.text
    report = Report.objects.get(engagement=engagement)
    assert (report.kind, report.status, report.number) == ("week_one", "queued", 1)
    assert report.requested_by == operator


def test_generating_a_report_with_a_plain_post_redirects_back(
    operator_client: Client, engagement: Engagement
) -> None:
    response = operator_client.post(report_url(engagement), follow=True)
    assert response.redirect_chain == [(reverse("ops:dashboard"), 303)]
    assert "Week-one report v1 is queued" in response.text
    assert Report.objects.filter(engagement=engagement, status="queued").count() == 1


def test_a_refused_report_shows_the_services_message(
    operator_client: Client, engagement: Engagement, settings: Settings
) -> None:
    # The reports' own limit: content larger than one report may hold is refused up front.
    settings.REPORT_MAX_HTML_BYTES = 10
    response = operator_client.post(report_url(engagement), headers=HTMX)
    assert response.status_code == 422
    assert "more than one report may hold" in response.text
    assert not Report.objects.exists()


# --- Queries -------------------------------------------------------------------------------------


def busy_world(count: int, organization: Organization, operator: User) -> None:
    """``count`` engagements, a quarter each with every kind of thing that needs attention."""
    today = timezone.localdate()
    long_ago = timezone.now() - datetime.timedelta(days=20)
    checklist_template_load_shipped(publish=True)
    audit_template_load_shipped(publish=True)
    tier_load_shipped(publish=True)
    for index in range(count):
        engagement = EngagementFactory(organization=organization, lead=operator)
        event = activity_record(engagement=engagement, actor=operator, verb="engagement.created")
        ActivityEvent.objects.filter(pk=event.pk).update(created_at=long_ago)  # a stale lead
        if index % 4 == 1:  # running, with an overdue item
            Engagement.objects.filter(pk=engagement.pk).update(
                stage=Stage.ACTIVE, start_date=today - datetime.timedelta(days=10)
            )
            checklist = Checklist.objects.create(
                engagement=engagement, template_version=current_template()
            )
            ChecklistItem.objects.create(
                checklist=checklist, section="S", title="T", done_when="D", owner_side="client"
            )
            Checklist.objects.filter(pk=checklist.pk).refresh_earliest_open_day()
        elif index % 4 == 2:  # an audit untouched for days, and a failed report
            audit = audit_open(engagement=engagement, by=operator)
            Audit.objects.filter(pk=audit.pk).update(created_at=long_ago)
            report = report_request(engagement=engagement, kind="week_one", by=operator)
            Report.objects.filter(pk=report.pk).update(status="failed", attempts=3)
        elif index % 4 == 3:  # a sent quote about to expire
            Engagement.objects.filter(pk=engagement.pk).update(stage=Stage.PROPOSAL)
            quote = pricing_services.quote_draft(
                engagement=engagement, tier_keys=["ai-cto-lead"], by=operator
            )
            pricing_services.quote_send(quote=quote, by=operator)
            Quote.objects.filter(pk=quote.pk).update(valid_until=today + datetime.timedelta(3))


@pytest.mark.parametrize("count", [3, 12])
def test_the_dashboard_query_count_does_not_grow_with_engagements(
    operator_client: Client,
    organization: Organization,
    operator: User,
    django_assert_num_queries,
    count: int,
) -> None:
    busy_world(count, organization, operator)
    # The user (the session is cached); the board: every stage's count, each of the nine
    # stages' engagements, the accepted quotes' monthly totals; attention: overdue checklist
    # items (each knowing how many engagements have some), audits, failed reports, quotes,
    # stale leads.
    with django_assert_num_queries(17):
        response = operator_client.get(reverse("ops:dashboard"))
    attention = {group.kind.value: len(group.items) for group in response.context["attention"]}
    assert attention == {
        "overdue_items": len(range(1, count, 4)),
        "audit_waiting": len(range(2, count, 4)),
        "report_failed": len(range(2, count, 4)),
        "quote_expiring": len(range(3, count, 4)),
        "stale_lead": len(range(0, count, 4)),
    }
    assert sum(column.count for column in response.context["board"].columns) == count
