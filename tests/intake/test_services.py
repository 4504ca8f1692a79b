"""Intake services against PostgreSQL: versions, answers, submission, emails."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from cto.engagements.models import ActivityEvent, Engagement
from cto.intake import claims, first_call, services
from cto.intake.emails import (
    intake_call_notifications_sweep,
    intake_notify_call_requested,
    intake_notify_submitted,
    intake_send_resume_link,
)
from cto.intake.models import IntakeResponse, IntakeVisit, TreeVersion
from cto.intake.selectors import intake_call_policy
from cto.users.models import Membership, Organization, User
from tests.intake.factories import node, publish_shipped_tree, small_tree
from tests.users.factories import MembershipFactory, OperatorFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CONTACT = services.Contact(
    name="Pat Lee", email="Pat@Acme.example", company="Acme Robotics", role="CEO", consent=True
)


def finished_response(version: TreeVersion | None = None) -> IntakeResponse:
    """A response on the shipped tree that reached the AI outcome."""
    version = version or publish_shipped_tree()
    response = services.intake_start(tree_slug="cto-fit")
    for node_id, raw in [
        ("building", {"text": "Claims agent"}),
        ("ai_role", {"choices": ["core"]}),
        ("ai_actions", {"choices": ["decide"]}),
        ("agents", {"choices": ["yes"]}),
        ("retrieval", {"choices": ["no"]}),
        ("pains", {"choices": ["costs"]}),
    ]:
        services.intake_answer(response=response, node=node_id, raw=raw, tree_version_id=version.pk)
    response.refresh_from_db()
    return response


def test_loading_a_tree_twice_makes_one_version_and_an_edit_makes_another() -> None:
    first, created = services.tree_version_create(definition=small_tree(), by=None)
    again, created_again = services.tree_version_create(definition=small_tree(), by=None)
    edited = small_tree()
    node(edited, "q1")["prompt"] = "First, edited?"
    second, _ = services.tree_version_create(definition=edited, by=None)
    assert (created, created_again, again) == (True, False, first)
    assert (first.number, second.number) == (1, 2)
    assert first.status == second.status == TreeVersion.Status.DRAFT


def test_an_invalid_tree_is_refused_with_every_problem_and_nothing_is_stored() -> None:
    broken = small_tree()
    node(broken, "q1")["choices"][1]["next"] = "nowhere"
    with pytest.raises(ValidationError) as raised:
        services.tree_version_create(definition=broken, by=None)
    assert raised.value.messages == ["q1: Leads to 'nowhere', which is not a node."]
    assert not TreeVersion.objects.exists()


def test_publishing_makes_a_version_current_and_keeps_older_ones(operator: User) -> None:
    first, _ = services.tree_version_create(definition=small_tree(), by=operator)
    services.tree_version_publish(version=first, by=operator)
    edited = small_tree(title="Small tree, second edition")
    second, _ = services.tree_version_create(definition=edited, by=operator)
    assert TreeVersion.objects.current("small") == first
    second = services.tree_version_publish(version=second, by=operator)
    assert TreeVersion.objects.current("small") == second
    first.refresh_from_db()
    assert first.is_published
    assert second.published_by == operator


def test_a_response_replays_on_its_own_version_after_a_new_one_is_published() -> None:
    response = finished_response()
    changed = small_tree(slug="cto-fit", title="Another tree entirely")
    newer, _ = services.tree_version_create(definition=changed, by=None)
    services.tree_version_publish(version=newer, by=None)
    response.refresh_from_db()
    walk = response.walk()
    assert walk.outcome is not None
    assert walk.outcome.key == "ai"
    assert response.tree_version.number == 1


def test_starting_with_no_published_tree_is_refused_clearly() -> None:
    with pytest.raises(services.IntakeError, match="not available right now"):
        services.intake_start(tree_slug="cto-fit")


def test_answering_records_the_answer_the_outcome_and_the_visits() -> None:
    response = finished_response()
    assert response.outcome == "outcome_ai"
    assert response.completed_at is not None
    visited = set(IntakeVisit.objects.filter(response=response).values_list("node", flat=True))
    assert visited == {
        "building",
        "ai_role",
        "ai_actions",
        "agents",
        "retrieval",
        "pains",
        "outcome_ai",
    }


def test_an_answer_off_the_path_is_refused_and_nothing_changes() -> None:
    version = publish_shipped_tree()
    response = services.intake_start(tree_slug="cto-fit")
    with pytest.raises(services.IntakeError, match="not on your path") as raised:
        services.intake_answer(
            response=response, node="pains", raw={"choices": ["costs"]}, tree_version_id=version.pk
        )
    assert raised.value.code == "not_on_path"
    response.refresh_from_db()
    assert response.answers == {}


def test_an_answer_from_another_tree_version_is_refused() -> None:
    version = publish_shipped_tree()
    response = services.intake_start(tree_slug="cto-fit")
    with pytest.raises(services.StaleTreeError):
        services.intake_answer(
            response=response, node="building", raw={"text": "x"}, tree_version_id=version.pk + 1
        )


def test_going_back_and_changing_an_answer_keeps_later_answers_that_still_apply() -> None:
    response = finished_response()
    version_id = response.tree_version_id
    services.intake_answer(
        response=response,
        node="ai_actions",
        raw={"choices": ["create"]},
        tree_version_id=version_id,
    )
    response.refresh_from_db()
    assert response.answers["agents"] == {"choices": ["yes"]}
    assert response.walk().outcome is not None
    # Changing the first choice takes another branch: the AI answers stay stored, off the path.
    services.intake_answer(
        response=response, node="ai_role", raw={"choices": ["none"]}, tree_version_id=version_id
    )
    response.refresh_from_db()
    assert response.walk().frontier.id == "core_risk"
    assert response.outcome == ""
    assert "agents" in response.answers


def test_an_answer_from_a_stale_page_keeps_what_another_tab_answered_meanwhile() -> None:
    version = publish_shipped_tree()
    response = services.intake_start(tree_slug="cto-fit")
    services.intake_answer(
        response=response, node="building", raw={"text": "x"}, tree_version_id=version.pk
    )
    stale = IntakeResponse.objects.get(pk=response.pk)  # what the first tab read
    services.intake_answer(  # the second tab answers the next question
        response=IntakeResponse.objects.get(pk=response.pk),
        node="ai_role",
        raw={"choices": ["core"]},
        tree_version_id=version.pk,
    )
    result = services.intake_answer(  # the first tab changes its first answer
        response=stale, node="building", raw={"text": "A claims agent"}, tree_version_id=version.pk
    )
    response.refresh_from_db()
    assert response.answers == {
        "building": {"text": "A claims agent"},
        "ai_role": {"choices": ["core"]},
    }
    assert result.response.answers == response.answers


def test_a_page_read_before_the_submission_cannot_change_the_answers() -> None:
    response = finished_response()
    stale = IntakeResponse.objects.get(pk=response.pk)
    services.intake_submit(response=response, contact=CONTACT)
    with pytest.raises(services.IntakeClosedError):
        services.intake_answer(
            response=stale,
            node="pains",
            raw={"choices": ["regressions"]},
            tree_version_id=stale.tree_version_id,
        )
    response.refresh_from_db()
    assert response.answers["pains"] == {"choices": ["costs"]}


def test_submit_creates_an_unproven_lead_in_one_go() -> None:
    response = finished_response()
    engagement = services.intake_submit(response=response, contact=CONTACT)
    response.refresh_from_db()
    assert (engagement.stage, engagement.kind) == ("lead", "ai")
    assert engagement.organization.name == "Acme Robotics"
    assert engagement.title == "Fractional AI CTO for Acme Robotics"  # what a cover can show
    assert engagement.contact is None  # nobody's until the address is proved
    assert not engagement.organization.memberships.exists()
    user = User.objects.get(email="pat@acme.example")  # so that a sign-in code can reach them
    assert not user.has_usable_password()
    assert not user.memberships.exists()
    assert response.contact_email == "pat@acme.example"
    assert response.unproven_lead
    assert response.status == IntakeResponse.Status.SUBMITTED
    assert response.engagement == engagement
    event = engagement.events.get(verb=ActivityEvent.Verb.INTAKE_SUBMITTED)
    assert event.target == response
    assert event.data["path"][-1] == "outcome_ai"
    assert event.data["tree_version"] == 1


def test_a_double_submit_makes_one_engagement() -> None:
    response = finished_response()
    first = services.intake_submit(response=response, contact=CONTACT)
    second = services.intake_submit(response=response, contact=CONTACT)
    assert first == second
    assert Engagement.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_make_one_engagement() -> None:
    response = finished_response()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(services.intake_submit(response=response, contact=CONTACT).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2
    assert len(set(results)) == 1
    assert Engagement.objects.count() == 1


def test_submitting_before_an_outcome_is_refused() -> None:
    publish_shipped_tree()
    response = services.intake_start(tree_slug="cto-fit")
    with pytest.raises(services.IntakeError, match="remaining questions"):
        services.intake_submit(response=response, contact=CONTACT)
    assert not Engagement.objects.exists()
    assert not User.objects.exists()


def test_a_lead_without_consent_is_refused_and_nothing_is_written() -> None:
    response = finished_response()
    contact = services.Contact(**{**CONTACT.__dict__, "consent": False})
    with pytest.raises(services.IntakeError, match="agree"):
        services.intake_submit(response=response, contact=contact)
    assert not Engagement.objects.exists()
    response.refresh_from_db()
    assert response.status == IntakeResponse.Status.IN_PROGRESS


def test_a_prospect_typing_a_clients_name_does_not_join_that_client() -> None:
    existing = OrganizationFactory(name="Acme Robotics")
    insider = MembershipFactory(organization=existing).user
    engagement = services.intake_submit(response=finished_response(), contact=CONTACT)
    assert engagement.organization != existing
    assert engagement.organization.name == "Acme Robotics (acme.example)"
    assert list(existing.members.all()) == [insider]


def test_a_member_of_the_named_organisation_gets_the_lead_only_once_proved() -> None:
    existing = OrganizationFactory(name="Acme Robotics")
    user = User.objects.create_user(email="pat@acme.example")
    Membership.objects.create(organization=existing, user=user)
    response = finished_response()
    engagement = services.intake_submit(response=response, contact=CONTACT)
    assert engagement.organization != existing
    proved = claims.intake_lead_prove(response=response, user=user)
    assert proved.organization == existing
    assert proved.contact == user
    assert Organization.objects.count() == 1  # the lead's own organisation is gone


def test_submission_emails_operators_and_the_prospect_once(settings) -> None:
    settings.OPERATOR_NOTIFICATION_EMAIL = "leads@practice.example"
    operator = OperatorFactory()
    response = finished_response()
    services.intake_submit(response=response, contact=CONTACT)
    assert intake_notify_submitted(response_id=response.pk) == 3
    assert intake_notify_submitted(response_id=response.pk) == 0
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {operator.email, "leads@practice.example", "pat@acme.example"}
    operator_mail = by_recipient[operator.email]
    assert operator_mail.subject == "[cto] New lead: Acme Robotics (You need a fractional AI CTO)"
    assert "Where does AI sit in your product" in operator_mail.body
    prospect_mail = by_recipient["pat@acme.example"]
    assert prospect_mail.subject == "[cto] Your result: You need a fractional AI CTO"
    assert "Agents call tools" in prospect_mail.body
    # Each reason names its question, as a person would say it back.
    assert (
        "- Asked whether models or agents call tools, APIs or other systems on their own, you "
        "answered “Yes”. Agents call tools, so you need"
    ) in prospect_mail.body
    assert '- "Yes":' not in prospect_mail.body
    assert "reply within 2 working days" in prospect_mail.body
    # What was typed goes to the practice only: the address may be anybody's.
    assert "Claims agent" not in prospect_mail.body
    assert "Claims agent" in operator_mail.body


# --- The first call ------------------------------------------------------------------------------


def slots() -> list[first_call.Slot]:
    return first_call.call_slots(datetime.datetime.now(datetime.UTC), intake_call_policy())


def test_a_call_request_is_noted_on_the_timeline_and_published_after_commit(
    django_capture_on_commit_callbacks,
) -> None:
    response = finished_response()
    engagement = services.intake_submit(response=response, contact=CONTACT)
    slot = slots()[1]
    with django_capture_on_commit_callbacks() as callbacks:
        event = services.intake_call_request(response=response, slot=slot)
    assert len(callbacks) == 1
    assert event.engagement == engagement
    assert event.target == response
    assert event.actor is None
    assert event.data["starts_at"] == slot.starts_at.astimezone(datetime.UTC).isoformat()
    assert event.summary == f"Asked for a first call on {slot.long_label}"
    assert "(Europe/London)" in event.summary


def test_asking_again_for_the_same_time_records_nothing_new_and_another_time_does(
    django_capture_on_commit_callbacks,
) -> None:
    response = finished_response()
    services.intake_submit(response=response, contact=CONTACT)
    first, second = slots()[:2]
    event = services.intake_call_request(response=response, slot=first)
    with django_capture_on_commit_callbacks() as callbacks:
        again = services.intake_call_request(response=response, slot=first)
    assert (again.pk, callbacks) == (event.pk, [])
    services.intake_call_request(response=response, slot=second)
    assert ActivityEvent.objects.filter(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED).count() == 2


def test_a_call_cannot_be_asked_for_before_the_answers_are_sent() -> None:
    response = finished_response()
    with pytest.raises(services.IntakeError, match="send your answers first"):
        services.intake_call_request(response=response, slot=slots()[0])
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED).exists()


def test_the_operators_hear_of_a_call_request_once(settings) -> None:
    settings.OPERATOR_NOTIFICATION_EMAIL = "leads@practice.example"
    operator = OperatorFactory()
    response = finished_response()
    services.intake_submit(response=response, contact=CONTACT)
    slot = slots()[0]
    event = services.intake_call_request(response=response, slot=slot)
    assert intake_notify_call_requested(event_id=event.pk) == 2
    assert intake_notify_call_requested(event_id=event.pk) == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [operator.email, "leads@practice.example"]
    )
    message = mail.outbox[0]
    assert message.subject == f"[cto] First call asked for: Acme Robotics, {slot.long_label}"
    assert "pat@acme.example" in message.body
    assert f"When:     {slot.long_label}, 30 minutes" in message.body
    event.refresh_from_db()
    assert event.notified_at is not None


def test_a_lost_call_request_email_is_found_by_the_sweep(settings) -> None:
    response = finished_response()
    services.intake_submit(response=response, contact=CONTACT)
    event = services.intake_call_request(response=response, slot=slots()[0])
    later = event.created_at + datetime.timedelta(
        seconds=settings.NOTIFICATION_LATE_AFTER_SECONDS + 1
    )
    assert intake_call_notifications_sweep(now=later) == [event.pk]
    intake_notify_call_requested(event_id=event.pk)
    assert intake_call_notifications_sweep(now=later) == []


def test_the_resume_link_is_emailed_to_the_address_given(
    django_capture_on_commit_callbacks,
) -> None:
    publish_shipped_tree()
    response = services.intake_start(tree_slug="cto-fit")
    with django_capture_on_commit_callbacks() as callbacks:
        services.intake_remember_email(response=response, email="me@prospect.example")
    assert len(callbacks) == 1  # the task is published after commit; here we run its service
    assert intake_send_resume_link(response_id=response.pk)
    assert [message.to for message in mail.outbox] == [["me@prospect.example"]]
    assert f"/intake/resume/{response.token}/" in mail.outbox[0].body
