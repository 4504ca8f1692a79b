"""Audit pages: isolation between organisations, saving answers (htmx and plain), stale saves,
operators' actions, and the cost of the result page."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from cto.audits import services
from cto.audits.models import Audit, AuditAnswer
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.audits.factories import LEVELS, small_template
from tests.audits.test_services import publish

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def audit(engagement: Engagement, operator: User) -> Audit:
    publish(small_template(slug=services.TEMPLATE_SLUG))
    return services.audit_open(engagement=engagement, by=operator)


@pytest.fixture
def member(client: Client, client_user: User) -> Client:
    client.force_login(client_user)
    return client


def answer_url(audit: Audit, question: str = "e1") -> str:
    return reverse("audits:answer", args=[audit.pk, question])


def test_a_member_fills_in_the_audit_a_dimension_at_a_time(member: Client, audit: Audit) -> None:
    page = member.get(audit.get_absolute_url() + "?d=team")
    assert page.status_code == 200
    assert "Question t1?" in page.text
    assert "Question e1?" not in page.text
    assert member.get(audit.get_absolute_url() + "?d=nope").status_code == 404


def oob(element_id: str, reply: HttpResponse) -> str:
    """The element of an htmx reply swapped out of band into ``element_id``, as text."""
    pattern = rf'<(\w+) id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</\1>'
    match = re.search(pattern, reply.text)
    assert match, f"no out-of-band #{element_id} in {reply.text}"
    return re.sub(r"\s+", " ", match.group(0))


def test_an_answer_saved_with_htmx_updates_its_state_and_the_counters(
    member: Client, audit: Audit, operator: User
) -> None:
    reply = member.post(answer_url(audit), {"value": "3", "note": "Rubric in place"}, headers=HTMX)
    assert reply.status_code == 200
    assert AuditAnswer.objects.get().level == 3
    # The question's state, which the form targets: the version its next save carries ...
    assert reply.text.lstrip().startswith('<div class="answer-state">')
    assert 'name="version" value="1"' in reply.text
    # ... and never its fields: what is typed while the save is in flight stays in the page.
    assert "<textarea" not in reply.text
    assert 'name="value"' not in reply.text
    saved_at = AuditAnswer.objects.get().updated_at.strftime("%H:%M")
    assert f">{saved_at}</time>." in oob("q-e1-status", reply)
    assert "Saved at" in oob("q-e1-status", reply)
    assert ">1<" in oob("audit-answered", reply)
    assert 'value="1" max="6"' in oob("audit-progress", reply)
    assert ">1/3<" in oob("dimension-evals-count", reply)
    assert "2 questions of this dimension are still unanswered." in oob("dimension-left", reply)
    assert '<div id="announcer" hx-swap-oob="innerHTML">Saved: Question e1? 1 of 6 answered.' in (
        reply.text
    )

    # The counts are the database's: an answer someone else gave meanwhile is counted too.
    services.audit_answer_save(
        audit=audit, raw=services.AnswerInput("e2", 1), expected_version=None, by=operator
    )
    reply = member.post(answer_url(audit, "e3"), {"value": "na"}, headers=HTMX)
    assert ">3<" in oob("audit-answered", reply)
    assert 'value="3" max="6"' in oob("audit-progress", reply)
    assert ">3/3<" in oob("dimension-evals-count", reply)
    assert "Every question of this dimension is answered." in oob("dimension-left", reply)
    reply = member.post(answer_url(audit, "t1"), {"value": "0"}, headers=HTMX)
    assert ">4<" in oob("audit-answered", reply)
    assert ">1/3<" in oob("dimension-team-count", reply)


def test_changing_a_saved_answer_does_not_count_it_twice(member: Client, audit: Audit) -> None:
    member.post(answer_url(audit), {"value": "1"}, headers=HTMX)
    reply = member.post(answer_url(audit), {"value": "2", "version": "1"}, headers=HTMX)
    assert reply.status_code == 200
    assert 'name="version" value="2"' in reply.text
    assert ">1<" in oob("audit-answered", reply)
    assert ">1/3<" in oob("dimension-evals-count", reply)


def test_an_htmx_save_costs_the_same_few_queries(
    member: Client, audit: Audit, django_assert_num_queries
) -> None:
    member.post(answer_url(audit, "e2"), {"value": "1"}, headers=HTMX)  # a warm template cache
    # the user (the session is cached), the audit with its template, then the service:
    # savepoint, the audit and the answer locked, the answer written, the audit's last answer
    # time, release; then the answered questions for the counters.
    with django_assert_num_queries(9):
        reply = member.post(answer_url(audit), {"value": "3", "note": "n"}, headers=HTMX)
    assert reply.status_code == 200
    with django_assert_num_queries(9):
        reply = member.post(answer_url(audit), {"value": "4", "version": "1"}, headers=HTMX)
    assert reply.status_code == 200


def test_an_answer_saved_without_javascript_redirects_back(member: Client, audit: Audit) -> None:
    reply = member.post(answer_url(audit, "t2"), {"value": "na"})
    assert reply.status_code == 303
    assert reply["Location"] == f"{audit.get_absolute_url()}?d=team#q-t2"
    assert AuditAnswer.objects.get().not_applicable
    page = member.get(reply["Location"])
    assert "1 of 6 questions answered" in re.sub(r"<[^>]+>", "", page.text)
    assert 'value="1" max="6"' in page.text


def test_a_stale_save_is_refused_and_leaves_what_was_typed_in_place(
    member: Client, audit: Audit, operator: User
) -> None:
    member.post(answer_url(audit), {"value": "1"}, headers=HTMX)
    services.audit_answer_save(
        audit=audit,
        raw=services.AnswerInput(question="e1", level=2),
        expected_version=1,
        by=operator,
    )
    reply = member.post(
        answer_url(audit), {"value": "4", "note": "my careful note", "version": "1"}, headers=HTMX
    )
    assert reply.status_code == 409
    assert "changed this answer after you opened the page" in reply.text
    assert "Stored now: level 2" in reply.text
    assert 'name="version" value="2"' in reply.text  # saving again means replacing theirs
    # The reply replaces the message and the version only: the member's level and note stay
    # in the fields as typed (the browser test watches them stay).
    assert "<textarea" not in reply.text
    assert "my careful note" not in reply.text
    assert "Not saved." in oob("q-e1-status", reply)
    assert 'id="audit-answered"' not in reply.text  # nothing counted moved
    assert "Not saved: Question e1? " in reply.text  # read out
    assert AuditAnswer.objects.get().level == 2


def test_a_stale_save_without_javascript_shows_the_page_with_what_was_typed(
    member: Client, audit: Audit, operator: User
) -> None:
    member.post(answer_url(audit, "t1"), {"value": "1"})
    services.audit_answer_save(
        audit=audit, raw=services.AnswerInput("t1", 2), expected_version=1, by=operator
    )
    reply = member.post(
        answer_url(audit, "t1"), {"value": "4", "note": "my careful note", "version": "1"}
    )
    assert reply.status_code == 409
    assert "Question t3?" in reply.text  # the page, at the question's dimension
    assert "my careful note</textarea>" in reply.text
    assert re.search(r'value="4" id="t1-4"\s+checked', reply.text)
    assert "Stored now: level 2" in reply.text
    assert 'name="version" value="2"' in reply.text
    assert AuditAnswer.objects.get().level == 2


def test_a_refused_save_keeps_what_was_typed(member: Client, audit: Audit) -> None:
    typed = {"value": "3", "note": "my careful note", "evidence_url": "not a link"}
    reply = member.post(answer_url(audit), typed, headers=HTMX)
    assert reply.status_code == 422
    assert "The evidence link must be a web address" in reply.text
    assert "<textarea" not in reply.text  # the fields, as typed, stay in the page
    assert "Not saved." in oob("q-e1-status", reply)
    plain = member.post(answer_url(audit), typed)
    assert plain.status_code == 422
    assert "The evidence link must be a web address" in plain.text
    assert "my careful note</textarea>" in plain.text
    assert 'value="not a link"' in plain.text
    assert re.search(r'value="3" id="e1-3"\s+checked', plain.text)
    assert not AuditAnswer.objects.exists()


def test_a_bad_level_is_refused_with_a_message(member: Client, audit: Audit) -> None:
    reply = member.post(answer_url(audit), {"value": "7"}, headers=HTMX)
    assert reply.status_code == 422
    assert "level from 0 to 4" in reply.text
    assert not AuditAnswer.objects.exists()


def test_each_dimension_ends_with_the_next_step(
    member: Client, client: Client, audit: Audit, operator: User
) -> None:
    first = member.get(audit.get_absolute_url())
    assert '<a class="button" href="?d=team">Next: Team</a>' in first.text
    assert "3 questions of this dimension are still unanswered." in first.text
    member.post(answer_url(audit, "t1"), {"value": "2"})
    last = member.get(audit.get_absolute_url() + "?d=team")
    assert "2 questions of this dimension are still unanswered." in last.text
    assert f'href="{reverse("audits:result", args=[audit.pk])}">Go to the result</a></p>' in (
        last.text
    )
    assert 'href="#lock-audit"' not in last.text  # locking is the practice's
    client.force_login(operator)
    staff = client.get(audit.get_absolute_url() + "?d=team")
    assert '<a href="#lock-audit">Lock the audit</a>' in staff.text
    assert 'id="lock-audit"' in staff.text


def test_the_header_tells_the_truth_open_and_locked(
    member: Client, audit: Audit, operator: User
) -> None:
    page = member.get(audit.get_absolute_url())
    assert "open: every answer is saved as you give it" in page.text
    assert "<noscript> (with its Save button)</noscript>" in page.text
    assert '<script src="/static/js/audit.js" defer></script>' in page.text
    for question in ("e1", "e2", "e3", "t1", "t2", "t3"):
        services.audit_answer_save(
            audit=audit, raw=services.AnswerInput(question, 1), expected_version=None, by=operator
        )
    services.audit_lock(audit=audit, by=operator)
    page = member.get(audit.get_absolute_url())
    assert "saved as you give it" not in page.text
    assert "locked on" in page.text
    assert "still unanswered" not in page.text


def test_the_audit_page_costs_the_same_few_queries(
    member: Client, audit: Audit, operator: User, django_assert_num_queries
) -> None:
    for question in ("e1", "e2", "t1"):
        services.audit_answer_save(
            audit=audit, raw=services.AnswerInput(question, 1), expected_version=None, by=operator
        )
    url = audit.get_absolute_url()
    member.get(url)
    # the user (the session is cached), the audit with its template, its answers with who
    # gave them (the counters are counted from those)
    with django_assert_num_queries(3):
        assert member.get(url).status_code == 200


@pytest.mark.parametrize("name", ["detail", "result", "answer"])
def test_another_organisations_audit_answers_404(
    client: Client, audit: Audit, other_organization, name: str
) -> None:
    from tests.users.factories import MembershipFactory

    outsider = MembershipFactory(organization=other_organization).user
    client.force_login(outsider)
    if name == "answer":
        reply = client.post(answer_url(audit), {"value": "4"}, headers=HTMX)
    else:
        reply = client.get(reverse(f"audits:{name}", args=[audit.pk]))
    assert reply.status_code == 404
    assert not AuditAnswer.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, audit: Audit) -> None:
    reply = client.get(audit.get_absolute_url())
    assert reply.status_code == 302
    assert reply["Location"].startswith(reverse("account_login"))


def test_clients_cannot_open_or_lock_audits(member: Client, audit: Audit) -> None:
    opened = member.post(reverse("audits:open", args=[audit.engagement_id]))
    locked = member.post(reverse("audits:lock", args=[audit.pk]))
    assert opened.status_code == locked.status_code == 302
    assert "/admin/login/" in opened["Location"]
    assert Audit.objects.count() == 1
    assert Audit.objects.get().is_open


def test_an_operator_opens_and_locks_from_the_pages(
    client: Client, operator: User, engagement: Engagement
) -> None:
    publish(small_template(slug=services.TEMPLATE_SLUG))
    client.force_login(operator)
    assert "Open a new audit" in client.get(engagement.get_absolute_url()).text
    opened = client.post(reverse("audits:open", args=[engagement.pk]))
    audit = Audit.objects.get()
    assert opened["Location"] == audit.get_absolute_url()
    refused = client.post(reverse("audits:lock", args=[audit.pk]), follow=True)
    assert "6 of 6 questions are still unanswered" in refused.text
    for question in ("e1", "e2", "e3", "t1", "t2", "t3"):
        client.post(answer_url(audit, question), {"value": "2"})
    done = client.post(reverse("audits:lock", args=[audit.pk]))
    assert done["Location"] == reverse("audits:result", args=[audit.pk])
    audit.refresh_from_db()
    assert not audit.is_open


def test_the_result_page_shows_scores_charts_flags_and_progress(
    member: Client, audit: Audit, operator: User
) -> None:
    for question in ("e1", "e2", "e3", "t1", "t2", "t3"):
        services.audit_answer_save(
            audit=audit, raw=services.AnswerInput(question, 1), expected_version=None, by=operator
        )
    services.audit_lock(audit=audit, by=operator)
    second = services.audit_open(engagement=audit.engagement, by=operator)
    for question in ("e1", "e2", "e3", "t1", "t2"):
        services.audit_answer_save(
            audit=second,
            raw=services.AnswerInput(question, 3),
            expected_version=None,
            by=operator,
        )
    page = member.get(reverse("audits:result", args=[second.pk]))
    assert page.status_code == 200
    assert "<strong>75.0</strong> of 100" in page.text  # every answer at 3 of 4
    assert "5 of 6 questions answered" in page.text
    # The radar and the bars, and the bars again drawn for a phone's column.
    assert page.text.count("<svg") == 3
    assert page.text.count('<div class="chart-narrow"><svg') == 1
    assert "Progress since audit 1" in page.text
    assert "up 50.0" in page.text
    assert "Weak evals" not in page.text  # evals at 75 now
    first = member.get(reverse("audits:result", args=[audit.pk]))
    assert "Weak evals" in first.text
    assert "Write a first eval." in first.text  # the recommendation


def test_result_page_query_count_with_60_answers(
    member: Client, engagement: Engagement, operator: User, django_assert_num_queries
) -> None:
    """Ten dimensions of six questions: the page costs the same few queries at any size."""
    template = small_template(slug=services.TEMPLATE_SLUG, weights_total=10)
    template["dimensions"] = [
        {
            "id": f"d{d}",
            "title": f"Dimension {d}",
            "weight": 1,
            "recommendation": "Do better.",
            "questions": [
                {"id": f"d{d}q{q}", "text": "?", "nist": "map", "cisco": "data", "levels": LEVELS}
                for q in range(6)
            ],
        }
        for d in range(10)
    ]
    template["red_flags"] = []
    publish(template)
    audit = services.audit_open(engagement=engagement, by=operator)
    for d in range(10):
        for q in range(6):
            services.audit_answer_save(
                audit=audit,
                raw=services.AnswerInput(f"d{d}q{q}", (d + q) % 5),
                expected_version=None,
                by=operator,
            )
    url = reverse("audits:result", args=[audit.pk])
    member.get(url)  # the template is parsed once per process; measure the steady state
    # user, audit with template and engagement, answers, previous audit, intake response
    with django_assert_num_queries(5):
        assert member.get(url).status_code == 200


def test_the_shipped_audits_result_draws_one_axis_per_dimension(
    member: Client, engagement: Engagement, operator: User
) -> None:
    import io
    import xml.etree.ElementTree as ET

    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_playbooks", "--publish", stdout=out)
    assert "ai-readiness.yaml: ai-readiness v1 (Published) (loaded)" in out.getvalue()
    assert "cto-fit.yaml: cto-fit v1 (Published) (loaded)" in out.getvalue()
    audit = services.audit_open(engagement=engagement, by=operator)
    page = member.get(reverse("audits:result", args=[audit.pk])).text
    radar = page[page.index("<svg") : page.index("</svg>") + 6]
    lines = ET.fromstring(radar).findall("{http://www.w3.org/2000/svg}line")
    assert len(lines) == len(audit.template_version.parsed().dimensions) == 10


def test_operators_see_scores_and_flags_in_admin(
    client: Client, operator: User, audit: Audit
) -> None:
    for question in ("e1", "e2", "e3"):
        services.audit_answer_save(
            audit=audit, raw=services.AnswerInput(question, 0), expected_version=None, by=operator
        )
    client.force_login(operator)
    listing = client.get(reverse("admin:audits_audit_changelist"))
    assert listing.status_code == 200
    assert 'class="field-flags">1<' in listing.text
    page = client.get(reverse("admin:engagements_engagement_change", args=[audit.engagement_id]))
    assert "Weak evals" in page.text
    assert "0.0 (Low)" in page.text
