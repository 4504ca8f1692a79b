"""cto/audits/services.py on PostgreSQL: opening, answering with version checks, locking."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cto.audits import services
from cto.audits.models import Audit, AuditAnswer, AuditTemplateVersion
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import engagement_transition
from cto.users.models import User
from tests.audits.factories import small_template

pytestmark = pytest.mark.django_db


def publish(definition: dict) -> AuditTemplateVersion:
    version, _ = services.audit_template_version_create(definition=definition, by=None)
    return services.audit_template_version_publish(version=version, by=None)


@pytest.fixture
def template_version() -> AuditTemplateVersion:
    return publish(small_template(slug=services.TEMPLATE_SLUG))


@pytest.fixture
def audit(template_version: AuditTemplateVersion, engagement: Engagement, operator: User) -> Audit:
    return services.audit_open(engagement=engagement, by=operator)


def save(audit: Audit, question: str, value: str, by: User, version: int | None = None, **kw: str):
    return services.audit_answer_save(
        audit=audit,
        raw=services.AnswerInput(
            question=question, level=None if value == "na" else int(value), **kw
        ),
        expected_version=version,
        by=by,
    )


def test_an_invalid_template_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(ValidationError) as raised:
        services.audit_template_version_create(definition=small_template(weights_total=7), by=None)
    assert raised.value.messages == [
        "(dimensions): the weights add up to 4, but the template declares weights_total 7."
    ]
    assert not AuditTemplateVersion.objects.exists()


def test_opening_an_audit_moves_a_qualified_engagement_to_audit(
    template_version: AuditTemplateVersion, engagement: Engagement, operator: User
) -> None:
    engagement_transition(engagement=engagement, to="qualified", by=operator)
    audit = services.audit_open(engagement=engagement, by=operator)
    engagement.refresh_from_db()
    assert (audit.number, audit.status, engagement.stage) == (1, "open", "audit")
    assert engagement.events.filter(
        verb=ActivityEvent.Verb.AUDIT_OPENED, target_id=audit.pk
    ).exists()


def test_opening_keeps_a_stage_that_cannot_move_to_audit(
    template_version: AuditTemplateVersion, engagement: Engagement, operator: User
) -> None:
    for stage in ("qualified", "proposal", "active"):
        engagement = engagement_transition(engagement=engagement, to=stage, by=operator)
    services.audit_open(engagement=engagement, by=operator)
    engagement.refresh_from_db()
    assert engagement.stage == "active"


def test_only_one_open_audit_at_a_time(audit: Audit, operator: User) -> None:
    with pytest.raises(services.AuditError, match="already has an open audit"):
        services.audit_open(engagement=audit.engagement, by=operator)


def test_an_answer_is_saved_and_versioned(audit: Audit, client_user: User) -> None:
    answer = save(audit, "e1", "3", client_user, note=" ok ", evidence_url="https://x.example/e")
    assert (answer.level, answer.not_applicable, answer.version) == (3, False, 1)
    assert (answer.note, answer.evidence_url, answer.answered_by) == (
        "ok",
        "https://x.example/e",
        client_user,
    )
    again = save(audit, "e1", "na", client_user, version=1)
    assert (again.level, again.not_applicable, again.version) == (None, True, 2)
    # The dashboard's "quiet since" reads this instead of the answers.
    audit.refresh_from_db()
    assert audit.last_answered_at == again.updated_at


@pytest.mark.parametrize(
    ("question", "value", "extra", "message"),
    [
        ("nope", "1", {}, "not part of this audit"),
        ("e1", "5", {}, "level from 0 to 4"),
        ("e1", "-1", {}, "level from 0 to 4"),
        ("e1", "2", {"evidence_url": "javascript:alert(1)"}, "https://"),
        ("e1", "2", {"note": "x" * 4001}, "under 4000 characters"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(
    audit: Audit, client_user: User, question: str, value: str, extra: dict, message: str
) -> None:
    with pytest.raises(services.AuditError, match=message):
        save(audit, question, value, client_user, **extra)
    assert not AuditAnswer.objects.exists()
    audit.refresh_from_db()
    assert audit.last_answered_at is None


def test_a_stale_save_is_refused_with_the_stored_answer(
    audit: Audit, operator: User, client_user: User
) -> None:
    save(audit, "e1", "1", client_user)
    save(audit, "e1", "2", operator, version=1)  # the operator saves in between
    with pytest.raises(services.StaleAnswerError) as raised:
        save(audit, "e1", "4", client_user, version=1)
    assert raised.value.current.level == 2
    assert str(operator) in raised.value.messages[0]
    assert AuditAnswer.objects.get().level == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_answer_keep_one_and_tell_the_other(
    template_version: AuditTemplateVersion, operator: User
) -> None:
    from tests.engagements.factories import EngagementFactory

    audit = services.audit_open(engagement=EngagementFactory(), by=operator)
    save(audit, "e1", "1", operator)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(value: str) -> None:
        try:
            barrier.wait()
            save(audit, "e1", value, operator, version=1)
            outcomes.append(f"saved {value}")
        except services.StaleAnswerError as stale:
            outcomes.append(f"told, stored is {stale.current.level}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(v,)) for v in ("3", "4")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    stored = AuditAnswer.objects.get()
    assert stored.version == 2
    assert sorted(outcomes) == sorted([f"saved {stored.level}", f"told, stored is {stored.level}"])


def test_locking_needs_every_question_answered(audit: Audit, operator: User) -> None:
    save(audit, "e1", "1", operator)
    with pytest.raises(services.AuditError, match="5 of 6 questions are still unanswered"):
        services.audit_lock(audit=audit, by=operator)
    for question in ("e2", "e3", "t1", "t2"):
        save(audit, question, "2", operator)
    save(audit, "t3", "na", operator)
    locked = services.audit_lock(audit=audit, by=operator)
    assert (locked.status, locked.locked_by) == ("locked", operator)
    with pytest.raises(services.AuditError, match="locked"):
        save(audit, "e1", "4", operator, version=1)
    assert AuditAnswer.objects.get(question="e1").level == 1


def test_opening_an_audit_invites_the_clients_members(
    template_version: AuditTemplateVersion,
    engagement: Engagement,
    operator: User,
    client_user: User,
    django_capture_on_commit_callbacks,
) -> None:
    from django.core import mail

    from cto.engagements.services import event_notify

    with django_capture_on_commit_callbacks() as callbacks:
        audit = services.audit_open(engagement=engagement, by=operator)
    assert len(callbacks) == 1  # the invitation goes out through the worker, after commit
    event = engagement.events.get(verb=ActivityEvent.Verb.AUDIT_OPENED)
    assert event_notify(event_id=event.pk) == 2  # the member and the lead operator
    to_member = next(m for m in mail.outbox if m.to == [client_user.email])
    assert to_member.subject == f"[cto] {engagement.title}: readiness audit 1 is open"
    assert audit.get_absolute_url() in to_member.body
