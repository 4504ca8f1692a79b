"""Audit pages: isolation between organisations, saving answers (htmx and plain), stale saves,
operators' actions, and the cost of the result page."""

from __future__ import annotations

import pytest
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


def test_an_answer_saved_with_htmx_returns_its_block(member: Client, audit: Audit) -> None:
    reply = member.post(answer_url(audit), {"value": "3", "note": "Rubric in place"}, headers=HTMX)
    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<form id="q-e1"')
    assert "Saved." in reply.text
    assert 'name="version" value="1"' in reply.text
    assert AuditAnswer.objects.get().level == 3


def test_an_answer_saved_without_javascript_redirects_back(member: Client, audit: Audit) -> None:
    reply = member.post(answer_url(audit, "t2"), {"value": "na"})
    assert reply.status_code == 303
    assert reply["Location"] == f"{audit.get_absolute_url()}?d=team#q-t2"
    assert AuditAnswer.objects.get().not_applicable


def test_a_stale_save_is_refused_and_keeps_what_was_typed(
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
    assert "my careful note" in reply.text  # nothing the member typed is lost
    assert 'name="version" value="2"' in reply.text  # saving again means replacing theirs
    assert AuditAnswer.objects.get().level == 2


def test_a_bad_level_is_refused_with_a_message(member: Client, audit: Audit) -> None:
    reply = member.post(answer_url(audit), {"value": "7"}, headers=HTMX)
    assert reply.status_code == 422
    assert "level from 0 to 4" in reply.text
    assert not AuditAnswer.objects.exists()


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
    assert page.text.count("<svg") == 2
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
