"""Pages served from the cache under what they show (`cto.core.pagecache`), through the page that
uses it: the intake's question screen. Rendered once per state, then served with each
response's own CSRF token and CSP nonce; never one prospect's answer, one visitor's session or
one response's message on another's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cto.core.pagecache import csrf_placeholder, nonce_placeholder
from cto.intake.models import TreeVersion
from tests.intake.factories import publish_shipped_tree
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

QUESTION = reverse("intake:question", args=["ai_role"])
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'nonce="([^"]+)"')
# What differs from one response to the next by design.
PER_RESPONSE = re.compile(r'value="[^"]{40,}"|"X-CSRFToken": "[^"]+"|nonce="[^"]+"')


@pytest.fixture
def version() -> TreeVersion:
    return publish_shipped_tree()


def at_the_second_question(client: Client, version: TreeVersion) -> Client:
    client.get(reverse("intake:home"))  # the CSRF cookie, for clients that enforce it
    token = client.cookies["csrftoken"].value
    assert client.post(reverse("intake:start"), {"csrfmiddlewaretoken": token}).status_code == 302
    first = reverse("intake:question", args=["building"])
    form = {"tree_version": version.pk, "text": "A claims agent", "csrfmiddlewaretoken": token}
    assert client.post(first, form).status_code == 303
    return client


def test_a_screen_is_rendered_once_and_then_served_from_the_cache(
    version: TreeVersion, django_assert_num_queries
) -> None:
    client = at_the_second_question(Client(), version)
    first = client.get(QUESTION)
    assert first.templates  # rendered
    with django_assert_num_queries(1):  # the prospect's response (the session is cached)
        again = client.get(QUESTION)
    assert again.templates == []  # no template rendered: served from the cache
    assert PER_RESPONSE.sub("", again.text) == PER_RESPONSE.sub("", first.text)
    # Another prospect at the same point gets the same screen, from the cache.
    other = at_the_second_question(Client(), version).get(QUESTION)
    assert other.templates == []
    assert PER_RESPONSE.sub("", other.text) == PER_RESPONSE.sub("", first.text)


def test_each_response_carries_its_own_working_csrf_token_and_nonce(
    version: TreeVersion,
) -> None:
    client = at_the_second_question(Client(enforce_csrf_checks=True), version)
    pages = [client.get(QUESTION), client.get(QUESTION)]
    assert pages[1].templates == []
    tokens = [TOKEN.findall(page.text) for page in pages]
    assert tokens[0][0] != tokens[1][0]  # masked afresh for each response
    for page in pages:
        nonces = set(NONCE.findall(page.text))
        assert len(nonces) == 1
        assert f"'nonce-{nonces.pop()}'" in page["Content-Security-Policy"]
        assert csrf_placeholder() not in page.text
        assert nonce_placeholder() not in page.text
    assert NONCE.findall(pages[0].text) != NONCE.findall(pages[1].text)
    form = {"tree_version": version.pk, "choice": "core", "csrfmiddlewaretoken": tokens[1][0]}
    assert client.post(QUESTION, form).status_code == 303  # the cached page's token works


def test_each_prospect_sees_their_own_answer(version: TreeVersion) -> None:
    answered = at_the_second_question(Client(), version)
    fresh = at_the_second_question(Client(), version)
    answered.get(QUESTION)  # the unanswered screen, now cached
    form = {"tree_version": version.pk, "choice": "core"}
    assert answered.post(QUESTION, form).status_code == 303
    back = answered.get(QUESTION).text
    assert re.search(r'value="core" id="choice-core"\s+checked', back)
    assert not re.search(r"checked", fresh.get(QUESTION).text)


def test_a_signed_in_visitor_gets_a_page_of_their_own(version: TreeVersion) -> None:
    at_the_second_question(Client(), version).get(QUESTION)  # cached for visitors
    member = Client()
    member.force_login(UserFactory())
    page = at_the_second_question(member, version).get(QUESTION)
    assert page.templates  # not the visitors' page
    assert "Sign out" in page.text
    assert "Sign in" not in page.text


def test_a_message_is_shown_once_to_its_visitor_and_never_cached(version: TreeVersion) -> None:
    client = at_the_second_question(Client(), version)
    client.get(QUESTION)
    sent = client.post(
        reverse("intake:email_link"),
        {"email": "pat@acme.example", "next_node": "ai_role"},
        follow=True,
    )
    assert "We have emailed you a link" in sent.text
    assert "We have emailed you a link" not in client.get(QUESTION).text
    other = at_the_second_question(Client(), version).get(QUESTION)
    assert "We have emailed you a link" not in other.text
