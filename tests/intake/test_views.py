"""The public intake pages: both the htmx and the plain-form journeys, every bad input,
abuse limits, and the queries a step costs."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cto.brand.models import Brand
from cto.brand.services import brand_save
from cto.engagements.models import ActivityEvent, Engagement
from cto.intake import first_call, prospect
from cto.intake.models import IntakeResponse, TreeVersion
from cto.intake.selectors import intake_call_policy
from tests.intake.factories import publish_shipped_tree
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
AI_PATH = [
    ("building", {"text": "A claims agent"}),
    ("ai_role", {"choice": "core"}),
    ("ai_actions", {"choice": ["decide", "operate"]}),
    ("agents", {"choice": "yes"}),
    ("retrieval", {"choice": "no"}),
    ("pains", {"choice": ["costs"]}),
]
CONTACT = {
    "name": "Pat Lee",
    "email": "pat@acme.example",
    "company": "Acme Robotics",
    "role": "CTO",
    "consent": "yes",
}


@pytest.fixture
def version() -> TreeVersion:
    return publish_shipped_tree()


def start(client: Client) -> IntakeResponse:
    response = client.post(reverse("intake:start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:question", args=["building"])
    return IntakeResponse.objects.latest("started_at")


def answer(client: Client, version: TreeVersion, node: str, data: dict, **kwargs: object):
    return client.post(
        reverse("intake:question", args=[node]), {"tree_version": version.pk, **data}, **kwargs
    )


def walk_to_result(client: Client, version: TreeVersion) -> IntakeResponse:
    response = start(client)
    for node, data in AI_PATH:
        assert answer(client, version, node, data).status_code == 303
    return response


# --- Journeys --------------------------------------------------------------------------------


def test_home_page_leads_to_the_intake(client: Client) -> None:
    assert reverse("intake:home") in client.get("/").text


def test_the_plain_form_journey_ends_in_a_lead(client: Client, version: TreeVersion) -> None:
    start(client)
    page = client.get(reverse("intake:question", args=["building"]))
    assert "what are you building?" in page.text
    assert 'name="tree_version"' in page.text
    for index, (node, data) in enumerate(AI_PATH):
        reply = answer(client, version, node, data)
        assert reply.status_code == 303
        expected = AI_PATH[index + 1][0] if index + 1 < len(AI_PATH) else None
        if expected:
            assert reply["Location"] == reverse("intake:question", args=[expected])
        else:
            assert reply["Location"] == reverse("intake:result")
    result = client.get(reverse("intake:result"))
    assert result.status_code == 200
    assert "You need a fractional AI CTO" in result.text
    # Agents call tools: a decisive answer, read back naming its question.
    assert (
        "Asked whether models or agents call tools, APIs or other systems on their own, you "
        "answered “Yes”."
    ) in result.text
    assert "You said" not in result.text
    assert "Answers that did not change the recommendation" in result.text
    assert "Asked what you are building, you wrote “A claims agent”." in result.text
    assert "relevant to you" in result.text
    assert "Talks only about prompts" in result.text  # a red flag for AI hires

    sent = client.post(reverse("intake:result"), CONTACT)
    assert (sent.status_code, sent["Location"]) == (303, reverse("intake:thanks"))
    engagement = Engagement.objects.get()
    assert (engagement.kind, engagement.stage) == ("ai", "lead")
    assert engagement.intake_response.status == IntakeResponse.Status.SUBMITTED


def test_the_htmx_journey_swaps_screens_in_place(client: Client, version: TreeVersion) -> None:
    start(client)
    for index, (node, data) in enumerate(AI_PATH):
        reply = answer(client, version, node, data, headers=HTMX)
        assert reply.status_code == 200
        assert reply.text.lstrip().startswith('<section id="intake-screen"')
        assert "<html" not in reply.text
        if index + 1 < len(AI_PATH):
            assert reply["HX-Push-Url"] == reverse("intake:question", args=[AI_PATH[index + 1][0]])
            # The screen under the pressed button is replaced: where the prospect is now is
            # said in the page's live region (out of band), with the question.
            said = reply.text.split('<div id="announcer" hx-swap-oob="innerHTML">', 1)[1]
            assert said.startswith(f"Question {index + 2} of at most ")
    assert reply["HX-Push-Url"] == reverse("intake:result")
    assert "You need a fractional AI CTO" in reply.text
    assert "Your result: You need a fractional AI CTO.</div>" in reply.text
    assert client.post(reverse("intake:result"), CONTACT).status_code == 303
    assert Engagement.objects.count() == 1


def test_back_shows_the_previous_answer_and_keeps_later_ones(
    client: Client, version: TreeVersion
) -> None:
    response = walk_to_result(client, version)
    page = client.get(reverse("intake:question", args=["agents"]))
    assert 'value="yes" id="choice-yes"\n                     checked' in page.text
    assert f'href="{reverse("intake:question", args=["ai_actions"])}"' in page.text  # Back
    back = client.get(reverse("intake:question", args=["ai_actions"]), headers=HTMX)
    assert back.status_code == 200
    assert "<html" not in back.text
    answer(client, version, "ai_actions", {"choice": ["create"]})
    response.refresh_from_db()
    assert response.answers["pains"] == {"choices": ["costs"]}


def test_a_reload_continues_where_the_prospect_left_off(
    client: Client, version: TreeVersion
) -> None:
    start(client)
    answer(client, version, "building", {"text": "x"})
    answer(client, version, "ai_role", {"choice": "core"})
    home = client.get(reverse("intake:home"))
    assert "Continue where you left off" in home.text
    assert reverse("intake:question", args=["ai_actions"]) in home.text
    # Asking for a question further along than the answers go shows the current one.
    ahead = client.get(reverse("intake:question", args=["pains"]))
    assert ahead["Location"] == reverse("intake:question", args=["ai_actions"])


def test_the_resume_link_continues_in_another_browser(client: Client, version: TreeVersion) -> None:
    response = start(client)
    answer(client, version, "building", {"text": "x"})
    other = Client()
    resumed = other.get(response.get_resume_url())
    assert resumed["Location"] == reverse("intake:question", args=["ai_role"])
    assert other.get(resumed["Location"]).status_code == 200


def test_asking_for_the_resume_link_emails_it(client: Client, version: TreeVersion) -> None:
    start(client)
    reply = client.post(
        reverse("intake:email_link"), {"email": "me@prospect.example", "next_node": "building"}
    )
    assert reply["Location"] == reverse("intake:question", args=["building"])
    response = IntakeResponse.objects.get()
    assert response.resume_email == "me@prospect.example"


# --- Bad input: a clear message, an error status, nothing half-written ------------------------


def test_a_tampered_choice_id_is_refused(client: Client, version: TreeVersion) -> None:
    start(client)
    answer(client, version, "building", {"text": "x"})
    for headers in ({}, HTMX):
        reply = answer(client, version, "ai_role", {"choice": "forged"}, headers=headers)
        assert reply.status_code == 422
        assert "not one of this question" in reply.text
    assert "ai_role" not in IntakeResponse.objects.get().answers


def test_no_choice_is_refused(client: Client, version: TreeVersion) -> None:
    start(client)
    answer(client, version, "building", {"text": "x"})
    reply = answer(client, version, "ai_role", {})
    assert reply.status_code == 422
    assert "Please choose an option." in reply.text


def test_an_answer_to_a_node_off_the_path_is_refused(client: Client, version: TreeVersion) -> None:
    start(client)
    reply = answer(client, version, "pains", {"choice": "costs"}, headers=HTMX)
    assert reply.status_code == 422
    assert "not on your path" in reply.text
    assert reply["HX-Push-Url"] == reverse("intake:question", args=["building"])
    assert IntakeResponse.objects.get().answers == {}


def test_an_unknown_node_is_refused(client: Client, version: TreeVersion) -> None:
    start(client)
    assert answer(client, version, "no-such-node", {"choice": "x"}).status_code == 422
    assert client.get(reverse("intake:question", args=["no-such-node"])).status_code == 302


@pytest.mark.parametrize("posted_version", ["999999", ""])
def test_a_stale_or_unknown_tree_version_is_refused(
    client: Client, version: TreeVersion, posted_version: str
) -> None:
    start(client)
    reply = client.post(
        reverse("intake:question", args=["building"]), {"tree_version": posted_version, "text": "x"}
    )
    assert reply.status_code == 409
    assert "another version of the questionnaire" in reply.text
    assert IntakeResponse.objects.get().answers == {}


@pytest.mark.parametrize("posted_version", ["not-a-number", "²", "1.5"])
def test_a_malformed_tree_version_is_a_message_on_the_same_question(
    client: Client, version: TreeVersion, posted_version: str
) -> None:
    start(client)
    reply = client.post(
        reverse("intake:question", args=["building"]), {"tree_version": posted_version, "text": "x"}
    )
    assert reply.status_code == 422
    assert "another version of the questionnaire" in reply.text
    assert "what are you building?" in reply.text
    assert IntakeResponse.objects.get().answers == {}


def test_an_unpublished_tree_is_never_served(client: Client) -> None:
    from cto.intake.services import tree_version_create
    from tests.intake.factories import shipped_definition

    tree_version_create(definition=shipped_definition(), by=None)  # a draft only
    reply = client.post(reverse("intake:start"))
    assert reply.status_code == 503
    assert "not available right now" in reply.text
    assert not IntakeResponse.objects.exists()


def test_overlong_text_is_refused(client: Client, version: TreeVersion) -> None:
    start(client)
    reply = answer(client, version, "building", {"text": "x" * 501})
    assert reply.status_code == 422
    assert "under 500 characters" in reply.text
    assert IntakeResponse.objects.get().answers == {}


def test_a_finished_response_cannot_be_answered_again(client: Client, version: TreeVersion) -> None:
    walk_to_result(client, version)
    client.post(reverse("intake:result"), CONTACT)
    reply = answer(client, version, "ai_role", {"choice": "none"}, headers=HTMX)
    assert reply.status_code == 409
    assert "already sent" in reply.text
    assert client.get(reverse("intake:question", args=["ai_role"]))["Location"] == reverse(
        "intake:thanks"
    )


def test_a_double_submit_makes_one_engagement(client: Client, version: TreeVersion) -> None:
    walk_to_result(client, version)
    first = client.post(reverse("intake:result"), CONTACT)
    second = client.post(reverse("intake:result"), CONTACT)
    assert first["Location"] == second["Location"] == reverse("intake:thanks")
    assert Engagement.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "valid work email"),
        ("email", "pat@", "valid work email"),
        ("name", "", "give your name"),
        ("consent", "", "Please agree"),
        ("company", "x" * 300, "under 200 characters"),
    ],
)
def test_bad_contact_details_show_a_message_and_write_nothing(
    client: Client, version: TreeVersion, field: str, value: str, message: str
) -> None:
    walk_to_result(client, version)
    reply = client.post(reverse("intake:result"), {**CONTACT, field: value})
    assert reply.status_code == 422
    assert message in reply.text
    assert 'aria-invalid="true"' in reply.text
    assert not Engagement.objects.exists()
    if field != "email":
        assert 'value="pat@acme.example"' in reply.text  # what was typed is kept


def test_the_result_is_not_shown_before_the_questions_are_answered(
    client: Client, version: TreeVersion
) -> None:
    start(client)
    assert client.get(reverse("intake:result"))["Location"] == reverse(
        "intake:question", args=["building"]
    )
    assert client.post(reverse("intake:result"), CONTACT).status_code == 302
    assert not Engagement.objects.exists()


def test_an_unknown_resume_token_is_refused_clearly(client: Client, version: TreeVersion) -> None:
    reply = client.get(reverse("intake:resume", args=["not-a-real-token"]))
    assert reply.status_code == 404
    assert "This link is not valid" in reply.text


@pytest.mark.parametrize("token", ["ab%00cd", "%00", "a%20b", "%ED%A0%80", "x" * 65])
def test_a_malformed_resume_token_is_refused_clearly(
    client: Client, version: TreeVersion, token: str
) -> None:
    # Found by the fuzz drill: a NUL byte in the token reached the query and answered 500.
    reply = client.get(f"/intake/resume/{token}/")
    assert reply.status_code == 404
    assert "This link is not valid" in reply.text


def test_a_used_resume_link_shows_the_result_sent_and_what_happens_next(
    client: Client, version: TreeVersion
) -> None:
    response = walk_to_result(client, version)
    client.post(reverse("intake:result"), CONTACT)
    other = Client()
    reply = other.get(response.get_resume_url())
    assert (reply.status_code, reply["Location"]) == (302, reverse("intake:result"))
    page = other.get(reply["Location"])
    assert page.status_code == 200
    assert "You need a fractional AI CTO" in page.text
    assert "You sent these answers on" in page.text
    assert "What happens next" in page.text
    assert reverse("intake:call") in page.text  # the first call, for the holder of the link
    assert "Already sent" not in page.text
    assert "Send my details" not in page.text  # nothing to send again
    assert "Change my answers" not in page.text
    assert "pat@acme.example" not in page.text
    # Posting the contact form again (an old tab) changes nothing.
    assert other.post(reverse("intake:result"), CONTACT)["Location"] == reverse("intake:thanks")
    assert Engagement.objects.count() == 1


def test_steps_without_the_prospects_cookie_send_the_visitor_to_the_start(
    client: Client, version: TreeVersion
) -> None:
    reply = answer(client, version, "building", {"text": "x"})
    assert reply["Location"] == reverse("intake:home")
    htmx = answer(client, version, "building", {"text": "x"}, headers=HTMX)
    assert htmx["HX-Redirect"] == reverse("intake:home")


def test_the_prospect_is_remembered_by_a_signed_cookie_and_no_session(
    client: Client, version: TreeVersion
) -> None:
    response = start(client)
    cookie = client.cookies[prospect.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert prospect.unsigned(cookie.value) == response.token
    assert answer(client, version, "building", {"text": "x"}).status_code == 303
    assert not Session.objects.exists()  # no session row for anonymous prospects
    assert "sessionid" not in client.cookies


@pytest.mark.parametrize(
    "forged",
    [
        "a-token-without-a-signature",
        "{token}:1tXyZa:forged-signature",
        "",
        "\x00",
    ],
)
def test_a_forged_or_altered_cookie_reads_as_no_cookie(
    client: Client, version: TreeVersion, forged: str
) -> None:
    response = start(client)
    client.cookies[prospect.COOKIE] = forged.format(token=response.token)
    reply = answer(client, version, "building", {"text": "x"})
    assert reply["Location"] == reverse("intake:home")
    response.refresh_from_db()
    assert response.answers == {}


def test_the_cookie_ends_after_the_idle_timeout(
    client: Client, version: TreeVersion, settings
) -> None:
    start(client)
    settings.SESSION_COOKIE_AGE = -1  # every cookie is older than that
    reply = client.get(reverse("intake:question", args=["building"]))
    assert reply["Location"] == reverse("intake:home")


# --- Abuse ------------------------------------------------------------------------------------


def test_the_honeypot_on_start_writes_nothing(client: Client, version: TreeVersion) -> None:
    reply = client.post(reverse("intake:start"), {"website": "http://spam.example"})
    assert reply["Location"] == reverse("intake:home")
    assert not IntakeResponse.objects.exists()


def test_the_honeypot_on_submit_writes_nothing(client: Client, version: TreeVersion) -> None:
    walk_to_result(client, version)
    reply = client.post(reverse("intake:result"), {**CONTACT, "website": "x"})
    assert reply["Location"] == reverse("intake:thanks")
    assert not Engagement.objects.exists()


def test_starting_is_rate_limited_per_address(
    client: Client, version: TreeVersion, settings
) -> None:
    settings.INTAKE_START_RATE = "3/h"
    statuses = [client.post(reverse("intake:start")).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert "Please try again later" in client.post(reverse("intake:start")).text
    assert IntakeResponse.objects.count() == 3
    other_address = client.post(reverse("intake:start"), REMOTE_ADDR="10.9.8.7")
    assert other_address.status_code == 302


def test_submitting_is_rate_limited_per_address(
    client: Client, version: TreeVersion, settings
) -> None:
    settings.INTAKE_SUBMIT_RATE = "1/h"
    walk_to_result(client, version)
    assert client.post(reverse("intake:result"), {**CONTACT, "email": "bad"}).status_code == 422
    assert client.post(reverse("intake:result"), CONTACT).status_code == 429
    assert not Engagement.objects.exists()


def test_the_thanks_page_does_not_reveal_an_existing_account(
    version: TreeVersion,
) -> None:
    UserFactory(email="pat@acme.example")
    pages = []
    for email in ("pat@acme.example", "new@acme.example"):
        client = Client()
        walk_to_result(client, version)
        reply = client.post(reverse("intake:result"), {**CONTACT, "email": email}, follow=True)
        page = re.sub(r"[A-Za-z0-9]{64}", "(csrf token)", reply.text)
        pages.append(re.sub(r'nonce="[^"]+"', 'nonce="(nonce)"', page))
    assert pages[0] == pages[1]
    assert len(mail.outbox) == 0  # the emails go through the worker, after commit


# --- Cost of a step -----------------------------------------------------------------------------


def test_query_count_of_one_step(
    client: Client, version: TreeVersion, django_assert_num_queries
) -> None:
    start(client)
    answer(client, version, "building", {"text": "x"})
    url = reverse("intake:question", args=["ai_role"])
    # the response with its tree version (the definition is parsed once per process)
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    # the response; then, in one transaction, its update (only if it is still as read) and
    # the visit the answer leads to. The test runs in a transaction of its own, so that one
    # is a savepoint here: two statements more than in production.
    with django_assert_num_queries(5):
        assert (
            answer(client, version, "ai_role", {"choice": "core"}, headers=HTMX).status_code == 200
        )


# --- What happens next, and the first call ------------------------------------------------------


def submitted(client: Client, version: TreeVersion) -> IntakeResponse:
    response = walk_to_result(client, version)
    assert client.post(reverse("intake:result"), CONTACT).status_code == 303
    response.refresh_from_db()
    return response


def offered(page: str) -> list[str]:
    return re.findall(r'name="slot" value="(\d{8}T\d{4})"', page)


def test_the_thanks_page_says_who_replies_by_when_and_offers_a_call(
    client: Client, version: TreeVersion, django_assert_num_queries
) -> None:
    response = submitted(client, version)
    policy = intake_call_policy()
    due = first_call.reply_by(response.submitted_at, policy)
    # the response with its version (for the next step); the summary card's own read of the
    # response and its report (cto.reports, which finds them by the cookie alone)
    with django_assert_num_queries(3):
        page = client.get(reverse("intake:thanks"))
    assert "A consultant at cto reads your answers" in page.text
    assert (
        f"by\n    <strong>{date_format(due, 'l j F')}</strong>, within 2 working days" in page.text
    )
    slots = first_call.call_slots(timezone.now(), policy)
    assert offered(page.text) == [slot.key for slot in slots]
    assert slots[0].label in page.text
    assert "times in Europe/London" in page.text
    assert "Book a first call" not in page.text  # no booking link configured


def test_the_practices_booking_link_is_offered_when_it_has_one(
    client: Client, version: TreeVersion
) -> None:
    brand_save(
        brand=Brand(
            name="Harbour CTO",
            primary_color="#143d6e",
            accent_color="#f2a541",
            booking_url="https://book.example/harbour",
        )
    )
    submitted(client, version)
    page = client.get(reverse("intake:thanks")).text
    assert 'href="https://book.example/harbour"' in page
    assert "Or choose a time for a first call" in page
    assert "A consultant at Harbour CTO reads your answers" in page


def test_a_visitor_without_the_answers_is_told_the_promise_but_offered_no_call(
    client: Client, version: TreeVersion
) -> None:
    page = client.get(reverse("intake:thanks")).text
    assert "What happens next" in page
    assert offered(page) == []


def test_choosing_a_time_notes_it_tells_the_operators_and_answers_an_invitation(
    client: Client, version: TreeVersion, django_capture_on_commit_callbacks
) -> None:
    response = submitted(client, version)
    key = offered(client.get(reverse("intake:thanks")).text)[2]
    with django_capture_on_commit_callbacks() as callbacks:
        reply = client.post(reverse("intake:call"), {"slot": key})
    assert reply.status_code == 200
    assert reply["Content-Type"] == "text/calendar; charset=utf-8"
    assert reply["Content-Disposition"] == 'attachment; filename="first-call.ics"'
    (event,) = icalendar.Calendar.from_ical(reply.content).walk("VEVENT")
    starts = event.decoded("dtstart").astimezone(ZoneInfo("Europe/London"))
    assert starts.strftime("%Y%m%dT%H%M") == key
    assert str(event["organizer"]) == "mailto:hello@localhost"  # no brand email: the sender's
    assert "pat@acme.example" in str(event["description"])
    assert len(callbacks) == 1  # the operators' email, after commit
    (noted,) = response.engagement.events.filter(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED)
    assert noted.summary.startswith("Asked for a first call on ")
    again = client.post(reverse("intake:call"), {"slot": key})
    assert again.content == reply.content  # the same file: same UID, same stamp
    assert response.engagement.events.filter(verb=noted.verb).count() == 1


def test_the_first_call_works_from_a_used_resume_link_without_javascript(
    client: Client, version: TreeVersion
) -> None:
    response = submitted(client, version)
    other = Client()
    page = other.get(response.get_resume_url(), follow=True).text
    reply = other.post(reverse("intake:call"), {"slot": offered(page)[0]})
    assert reply["Content-Type"] == "text/calendar; charset=utf-8"


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Please choose a time for the call."),
        ({"slot": "20200106T1000"}, "That time is no longer offered"),
        ({"slot": "<script>"}, "That time is no longer offered"),
    ],
)
def test_a_time_not_offered_is_refused_with_the_times_of_now(
    client: Client, version: TreeVersion, posted: dict[str, str], message: str
) -> None:
    submitted(client, version)
    reply = client.post(reverse("intake:call"), posted)
    assert reply.status_code == 422
    assert message in reply.text
    assert 'aria-describedby="call-error"' in reply.text
    assert offered(reply.text)  # choose again, from the times offered now
    assert "<script>" not in reply.text
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED).exists()


def test_only_the_prospect_holding_the_sent_answers_can_ask_for_a_call(
    client: Client, version: TreeVersion
) -> None:
    submitted(client, version)
    key = offered(client.get(reverse("intake:thanks")).text)[0]
    assert Client().post(reverse("intake:call"), {"slot": key}).status_code == 404
    forged = Client()
    forged.cookies[prospect.COOKIE] = "not-signed"
    assert forged.post(reverse("intake:call"), {"slot": key}).status_code == 404
    unsent = Client()
    walk_to_result(unsent, version)  # answers, but not sent: no lead to call
    assert unsent.post(reverse("intake:call"), {"slot": key}).status_code == 404
    assert client.get(reverse("intake:call")).status_code == 405
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED).exists()


def test_asking_for_calls_is_rate_limited_per_address(
    client: Client, version: TreeVersion, settings
) -> None:
    settings.INTAKE_CALL_RATE = "2/h"
    submitted(client, version)
    keys = offered(client.get(reverse("intake:thanks")).text)
    statuses = [client.post(reverse("intake:call"), {"slot": key}).status_code for key in keys[:3]]
    assert statuses == [200, 200, 429]
    assert ActivityEvent.objects.filter(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED).count() == 2
