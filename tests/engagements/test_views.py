"""The client portal pages: login, scoping to the user's organisations, query counts."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from cto.audits.services import AnswerInput, audit_answer_save
from cto.engagements import selectors, services
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.intake import claims as intake_claims
from cto.intake import services as intake_services
from cto.pricing.playbooks import tier_load_shipped
from cto.users.models import Organization, User
from tests.audits.factories import AuditFactory
from tests.engagements.factories import EngagementFactory
from tests.intake.test_services import CONTACT, finished_response
from tests.pricing.factories import QuoteFactory
from tests.users.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def test_portal_redirects_anonymous_visitors_to_login(client: Client) -> None:
    response = client.get(reverse("engagements:portal_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_portal_lists_only_the_users_own_engagements(
    client: Client, client_user: User, engagement: Engagement, foreign_engagement: Engagement
) -> None:
    client.force_login(client_user)
    response = client.get(reverse("engagements:portal_home"))
    assert response.status_code == 200
    assert list(response.context["engagements"]) == [engagement]
    assert engagement.title in response.text
    assert foreign_engagement.title not in response.text
    assert "no-store" in response["Cache-Control"]


def test_portal_shows_an_empty_state_to_a_user_without_engagements(
    client: Client, client_user: User
) -> None:
    client.force_login(client_user)
    response = client.get(reverse("engagements:portal_home"))
    assert "No engagements yet" in response.text


def test_engagement_page_shows_stage_and_timeline(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
    client.force_login(client_user)
    response = client.get(engagement.get_absolute_url())
    assert response.status_code == 200
    assert 'aria-current="step"' in response.text
    assert "Stage moved from Lead to Qualified" in response.text
    assert "We open the readiness audit." in response.text
    assert "waiting on us" in response.text


def test_engagement_page_says_when_the_client_has_a_move_to_make(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    from cto.audits.playbooks import audit_template_load_shipped
    from cto.audits.services import audit_open

    audit_template_load_shipped(publish=True)
    engagement = services.engagement_transition(
        engagement=engagement, to=Stage.QUALIFIED, by=operator
    )
    audit_open(engagement=engagement, by=operator)
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url()).text
    assert "Fill in the readiness audit" in page
    assert "waiting on you" in page
    client.force_login(operator)
    assert "waiting on the client" in client.get(engagement.get_absolute_url()).text


def test_foreign_engagement_answers_404(
    client: Client, client_user: User, foreign_engagement: Engagement
) -> None:
    client.force_login(client_user)
    response = client.get(foreign_engagement.get_absolute_url())
    assert response.status_code == 404
    assert foreign_engagement.title not in response.text


def test_unknown_engagement_answers_404(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert (
        client.get(reverse("engagements:portal_detail", kwargs={"pk": 999999})).status_code == 404
    )


def test_operator_sees_every_organisations_engagements(
    client: Client, operator: User, engagement: Engagement, foreign_engagement: Engagement
) -> None:
    client.force_login(operator)
    assert client.get(foreign_engagement.get_absolute_url()).status_code == 200
    listed = set(client.get(reverse("engagements:portal_home")).context["engagements"])
    assert listed == {engagement, foreign_engagement}


def test_removed_member_loses_access_at_once(
    client: Client, client_user: User, engagement: Engagement
) -> None:
    client.force_login(client_user)
    assert client.get(engagement.get_absolute_url()).status_code == 200
    client_user.memberships.all().delete()
    assert client.get(engagement.get_absolute_url()).status_code == 404


def test_htmx_request_gets_only_the_timeline_fragment(
    client: Client, client_user: User, engagement: Engagement
) -> None:
    client.force_login(client_user)
    response = client.get(engagement.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="timeline"')
    assert "<html" not in response.text


@pytest.mark.parametrize("count", [1, 10])
def test_portal_list_query_count_does_not_grow_with_engagements(
    client: Client,
    client_user: User,
    organization: Organization,
    django_assert_num_queries,
    count: int,
) -> None:
    EngagementFactory.create_batch(count, organization=organization)
    client.force_login(client_user)
    # user, engagements with their organisation, lead and contact (the session is cached)
    with django_assert_num_queries(2):
        client.get(reverse("engagements:portal_home"))


@pytest.mark.parametrize("events", [1, 30])
def test_engagement_page_query_count_does_not_grow_with_the_timeline(
    client: Client,
    client_user: User,
    engagement: Engagement,
    operator: User,
    django_assert_num_queries,
    events: int,
) -> None:
    for index in range(events):
        services.activity_record(
            engagement=engagement, actor=operator, verb="engagement.updated", data={"i": index}
        )
    client.force_login(client_user)
    # As in a fresh process: what a client may see of the timeline costs no content-type lookup.
    ContentType.objects.clear_cache()
    # user, the engagement with its AI plan, checklist and intake, the kinds and actors its
    # timeline filter offers, its timeline with actors, its audits, its quotes, its reports, the
    # tracker's stage moves and its one row of work counts (the session is cached; a client sees
    # no tier list)
    with django_assert_num_queries(9):
        client.get(engagement.get_absolute_url())


def test_engagement_page_shows_the_latest_events_and_the_full_timeline_on_request(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    for index in range(selectors.TIMELINE_RECENT + 5):
        services.activity_record(
            engagement=engagement, actor=operator, verb="engagement.updated", data={"i": index}
        )
    total = engagement.events.count()
    client.force_login(client_user)

    page = client.get(engagement.get_absolute_url())
    assert page.text.count("<time ") == selectors.TIMELINE_RECENT
    assert "Show the full timeline" in page.text

    full = client.get(
        engagement.get_absolute_url(), {"timeline": "all"}, headers={"HX-Request": "true"}
    )
    assert full.text.lstrip().startswith('<section id="timeline"')
    assert full.text.count("<time ") == total
    assert "Show the full timeline" not in full.text


def test_portal_only_answers_get(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert client.post(reverse("engagements:portal_home")).status_code == 405


def test_the_engagement_page_lists_no_draft_quote_to_a_client(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    from cto.pricing.models import Quote
    from tests.pricing.factories import QuoteFactory

    draft = QuoteFactory(engagement=engagement, status=Quote.Status.DRAFT)
    sent = QuoteFactory(engagement=engagement, status=Quote.Status.SENT)
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url())
    assert page.context["quotes"] == [sent]
    assert sent.get_absolute_url() in page.text
    assert draft.get_absolute_url() not in page.text
    client.force_login(operator)
    page = client.get(engagement.get_absolute_url())
    assert page.context["quotes"] == [draft, sent] or page.context["quotes"] == [sent, draft]
    assert draft.get_absolute_url() in page.text


def test_a_clients_timeline_leaves_out_what_happened_to_a_draft(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    from cto.pricing import services as pricing_services
    from cto.pricing.models import Quote, QuoteLine
    from tests.pricing.factories import QuoteFactory

    draft = QuoteFactory(engagement=engagement, status=Quote.Status.DRAFT, by=operator)
    option = draft.options.first()
    pricing_services.quote_line_add(
        option=option,
        label="Secret discount for Initech",
        kind=QuoteLine.Kind.DISCOUNT_PERCENT,
        period=QuoteLine.Period.MONTHLY,
        value=Decimal("10"),
        reason="Early customer",
        by=operator,
    )
    sent = QuoteFactory(engagement=engagement, status=Quote.Status.SENT, by=operator)
    client.force_login(client_user)
    timeline = client.get(engagement.get_absolute_url()).text
    assert "Secret discount for Initech" not in timeline
    assert f"{draft.number}.{draft.revision} drafted" not in timeline
    assert f"{sent.number}.{sent.revision} sent" in timeline
    client.force_login(operator)
    assert "Secret discount for Initech" in client.get(engagement.get_absolute_url()).text


# --- The tracker and the next step (issue 25) ---------------------------------------------------


def tracker_steps(page: str) -> list[tuple[str, str]]:
    """The tracker's (class, stage) pairs, read off the page."""
    tracker = page[page.index('<ol class="stage-tracker">') : page.index("</ol>")]
    return re.findall(r'<li class="(\w+)".*?>\s*(\w+)', tracker, flags=re.S)


def test_a_lead_with_a_quote_sent_asks_the_client_to_answer_it(
    client: Client, client_user: User, engagement: Engagement
) -> None:
    quote = QuoteFactory(engagement=engagement, status="sent")
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url()).text
    assert "We review your" not in page
    assert "Read the proposal and accept the option that suits you." in page
    assert "waiting on you" in page
    assert f'<a href="{quote.get_absolute_url()}">Read the proposal</a>' in page
    assert ("current", "Proposal") in tracker_steps(page)


def test_an_audit_done_and_a_quote_sent_make_the_proposal_current(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
    AuditFactory(engagement=engagement, by=operator)
    QuoteFactory(engagement=engagement, status="sent")
    engagement.refresh_from_db()
    assert engagement.stage == Stage.AUDIT
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url()).text
    assert tracker_steps(page)[:4] == [
        ("done", "Lead"),
        ("done", "Qualified"),
        ("done", "Audit"),
        ("current", "Proposal"),
    ]
    assert "accept the option" in page


def test_an_audit_fully_answered_waits_on_the_practice(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
    audit = AuditFactory(engagement=engagement, by=operator, locked=False)
    client.force_login(client_user)
    assert "Fill in the readiness audit" in client.get(engagement.get_absolute_url()).text
    for question in audit.template_version.parsed().questions:
        audit_answer_save(
            audit=audit,
            raw=AnswerInput(question=question, level=3),
            expected_version=None,
            by=client_user,
        )
    page = client.get(engagement.get_absolute_url()).text
    assert "We review your audit answers" in page
    assert "waiting on us" in page
    assert "Fill in the readiness audit" not in page


def test_an_intake_lead_that_accepts_its_quote_shows_the_audit_skipped_and_why(
    client: Client, operator: User
) -> None:
    tier_load_shipped(publish=True)
    response = finished_response()
    typed = dataclasses.replace(CONTACT, company="Initech", email="pat@initech.example")
    intake_services.intake_submit(response=response, contact=typed)
    contact = User.objects.get(email="pat@initech.example")
    engagement = intake_claims.intake_lead_prove(response=response, user=contact)
    QuoteFactory(engagement=engagement, status="accepted", by=operator)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.ACTIVE
    client.force_login(contact)
    page = client.get(engagement.get_absolute_url()).text
    assert ("skipped", "Audit") in tracker_steps(page)
    assert "Skipped: the proposal was accepted from the intake." in page
    assert ("current", "Active") in tracker_steps(page)


def test_the_active_engagement_points_the_client_at_their_checklist_items(
    client: Client, client_user: User, engagement: Engagement, django_assert_num_queries
) -> None:
    QuoteFactory(engagement=engagement, status="accepted")
    engagement.refresh_from_db()
    client.force_login(client_user)
    # As on a lead, and no more with the checklist applied and a quote accepted.
    with django_assert_num_queries(9):
        page = client.get(engagement.get_absolute_url()).text
    assert re.search(r"Work through your (\d+ )?open items? on the week-one checklist", page)
    assert "waiting on you" in page
    assert f'href="{reverse("checklists:detail", args=[engagement.pk])}"' in page


def test_an_open_audit_costs_one_query_more_whatever_the_number_of_audits_and_quotes(
    client: Client,
    client_user: User,
    engagement: Engagement,
    operator: User,
    django_assert_num_queries,
) -> None:
    services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
    AuditFactory(engagement=engagement, by=operator)
    AuditFactory(engagement=engagement, by=operator, locked=False)
    QuoteFactory(engagement=engagement, status="sent")
    client.force_login(client_user)
    # The nine of a lead's page, and the open audit's template (how many questions it asks).
    with django_assert_num_queries(10):
        page = client.get(engagement.get_absolute_url()).text
    assert "Your readiness audit stays open meanwhile." in page


# --- The timeline's filter (issue 25) -----------------------------------------------------------


def timeline_items(page: str) -> list[str]:
    """The timeline's lines, as text without tags, newest first."""
    timeline = page[page.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    items = re.findall(r"<li>(.*?)</li>", timeline, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


@pytest.fixture
def busy_timeline(engagement: Engagement, operator: User, client_user: User) -> dict[str, User]:
    """An operator's edits, a client's acceptance and the system's creation, oldest first."""
    services.activity_record(engagement=engagement, actor=None, verb="engagement.created")
    services.activity_record(
        engagement=engagement, actor=operator, verb="engagement.updated", data={"fields": ["title"]}
    )
    services.activity_record(
        engagement=engagement, actor=client_user, verb="quote.accepted", data={"change": "signed"}
    )
    return {"operator": operator, "client": client_user}


def test_a_plain_get_filters_the_timeline_by_kind_and_holds_the_choice(
    client: Client, client_user: User, engagement: Engagement, busy_timeline: dict[str, User]
) -> None:
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url(), {"kind": "engagement.updated"})
    assert page.status_code == 200
    [line] = timeline_items(page.text)
    assert line.endswith(f"Edited title by {busy_timeline['operator']}")
    assert '<option value="engagement.updated" selected>Edited the engagement</option>' in page.text
    # The full page has no out-of-band announcement: the page itself is what is read.
    assert "hx-swap-oob" not in page.text


def test_htmx_filters_by_actor_and_announces_the_count(
    client: Client, operator: User, engagement: Engagement, busy_timeline: dict[str, User]
) -> None:
    client.force_login(operator)
    client_user = busy_timeline["client"]
    response = client.get(
        engagement.get_absolute_url(), {"actor": client_user.pk}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<section id="timeline"')
    assert "<html" not in response.text
    assert [line.split(" by ")[-1] for line in timeline_items(response.text)] == [str(client_user)]
    assert '<div id="announcer" hx-swap-oob="innerHTML">1 matching event shown.</div>' in (
        response.text
    )
    system = client.get(
        engagement.get_absolute_url(), {"actor": "system"}, headers={"HX-Request": "true"}
    )
    # The system's events carry no "by".
    assert [" by " in line for line in timeline_items(system.text)] == [False]
    assert "Show every event" in system.text


def test_a_filter_that_matches_nothing_says_so(
    client: Client, operator: User, engagement: Engagement, busy_timeline: dict[str, User]
) -> None:
    client.force_login(operator)
    response = client.get(
        engagement.get_absolute_url(),
        {"kind": "quote.accepted", "actor": "system"},
        headers={"HX-Request": "true"},
    )
    assert "No event matches this filter." in response.text
    assert 'hx-swap-oob="innerHTML">No event matches this filter.</div>' in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "nonsense"},
        {"actor": "999999"},
        {"actor": "not-a-number"},
        {"kind": "engagement.updated", "actor": "=1+1"},
        {"timeline": "<script>"},
        {"kind": ["engagement.updated", "quote.accepted"]},
    ],
)
def test_unknown_filter_values_get_a_message_never_an_error(
    client: Client,
    operator: User,
    engagement: Engagement,
    busy_timeline: dict[str, User],
    query: dict[str, object],
) -> None:
    client.force_login(operator)
    page = client.get(engagement.get_absolute_url(), query)
    assert page.status_code == 200
    assert timeline_items(page.text)  # what the valid part asks for is still shown
    if "kind" in query and query["kind"] == "nonsense":
        assert "No event of that kind is on this timeline; every kind is shown." in page.text
    if str(query.get("actor", "")).startswith(("9", "n", "=")):
        assert "No one by that name is on this timeline; anyone&#x27;s events are shown." in (
            page.text
        )


def test_a_client_cannot_filter_by_someone_seen_only_on_a_draft(
    client: Client, client_user: User, engagement: Engagement, operator: User
) -> None:
    drafter = OperatorFactory(name="Drafting Operator")
    QuoteFactory(engagement=engagement, status="draft", by=drafter)
    services.activity_record(engagement=engagement, actor=operator, verb="engagement.updated")
    client.force_login(client_user)
    page = client.get(engagement.get_absolute_url(), {"actor": drafter.pk})
    assert "Drafting Operator" not in page.text
    assert "No one by that name is on this timeline" in page.text
    assert len(timeline_items(page.text)) == 1  # the filter dropped; the client's view shown


def test_the_full_timeline_link_keeps_the_filter(
    client: Client, operator: User, engagement: Engagement
) -> None:
    for _ in range(selectors.TIMELINE_RECENT + 1):
        services.activity_record(engagement=engagement, actor=operator, verb="engagement.updated")
    client.force_login(operator)
    page = client.get(engagement.get_absolute_url(), {"kind": "engagement.updated"})
    assert 'href="?kind=engagement.updated&amp;timeline=all#timeline"' in page.text
    full = client.get(
        engagement.get_absolute_url(),
        {"kind": "engagement.updated", "timeline": "all"},
        headers={"HX-Request": "true"},
    )
    assert len(timeline_items(full.text)) == selectors.TIMELINE_RECENT + 1
    # Filtering again keeps the full timeline.
    assert '<input type="hidden" name="timeline" value="all">' in full.text


def test_a_foreign_engagements_timeline_answers_404_filtered_or_not(
    client: Client, client_user: User, foreign_engagement: Engagement
) -> None:
    client.force_login(client_user)
    url = foreign_engagement.get_absolute_url()
    assert client.get(url, {"kind": "engagement.created"}).status_code == 404
    assert client.get(url, {"actor": "system"}, headers={"HX-Request": "true"}).status_code == 404


@pytest.mark.parametrize("events", [1, 30])
def test_a_filtered_page_costs_what_the_unfiltered_page_costs(
    client: Client,
    client_user: User,
    engagement: Engagement,
    operator: User,
    django_assert_num_queries,
    events: int,
) -> None:
    for index in range(events):
        services.activity_record(
            engagement=engagement, actor=operator, verb="engagement.updated", data={"i": index}
        )
    client.force_login(client_user)
    query = {"kind": "engagement.updated", "actor": operator.pk}
    with django_assert_num_queries(9):  # as test_engagement_page_query_count_does_not_grow...
        client.get(engagement.get_absolute_url(), query)
    # htmx swaps the timeline alone: user, the engagement, the filter's choices, the timeline.
    with django_assert_num_queries(4):
        client.get(engagement.get_absolute_url(), query, headers={"HX-Request": "true"})
