"""Every write of the intake: loading and publishing trees, answering, submitting a lead, and
the first call a lead asks for. Proving a lead's address is cto.intake.claims."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone

from cto.core.queue import publish_on_commit
from cto.core.versioning import content_version_create, content_version_publish
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record, engagement_create
from cto.intake import first_call
from cto.intake import tree as tree_module
from cto.intake.lookalikes import find_lookalikes
from cto.intake.models import DecisionTree, IntakeResponse, IntakeVisit, TreeVersion
from cto.intake.signals import intake_submitted
from cto.users.addresses import normalize_email
from cto.users.models import Organization, User
from cto.users.services import user_get_or_create


class IntakeError(ValidationError):
    """A request the intake refuses, with a message for the prospect and an HTTP status."""

    # 422: the request was understood but its content is refused (and htmx swaps it in).
    status = 422


class IntakeClosedError(IntakeError):
    status = 409


class StaleTreeError(IntakeError):
    status = 409


# --- Trees ----------------------------------------------------------------------------------


@transaction.atomic
def tree_version_create(
    *, definition: Any, source_name: str = "", by: User | None
) -> tuple[TreeVersion, bool]:
    """Validate an authored tree and store it as the next draft version of its tree.

    Loading content identical to an existing version returns that version (False); nothing
    is stored when the tree is invalid (ValidationError listing each problem by node).
    """
    return content_version_create(
        version_model=TreeVersion, definition=definition, source_name=source_name, by=by
    )


@transaction.atomic
def tree_version_publish(*, version: TreeVersion, by: User | None) -> TreeVersion:
    """Publish a draft: validated once more, then immutable and where new responses start; the
    tree takes the published version's title."""
    locked, published = content_version_publish(version=version, by=by)
    if published:
        DecisionTree.objects.filter(pk=locked.tree_id).update(title=locked.parsed().title)
    return locked


# --- Answering ------------------------------------------------------------------------------


def _record_visit(response: IntakeResponse, node: str) -> None:
    """Note that ``response`` reached ``node``; the first time only (the funnel counts these)."""
    IntakeVisit.objects.bulk_create(
        [IntakeVisit(response=response, node=node)], ignore_conflicts=True
    )


@transaction.atomic
def intake_start(*, tree_slug: str) -> IntakeResponse:
    """Begin a response on the newest published version of the tree."""
    version = TreeVersion.objects.current(tree_slug)
    if version is None:
        raise IntakeError("The questionnaire is not available right now. Please try again later.")
    response = IntakeResponse.objects.create(tree_version=version)
    _record_visit(response, version.parsed().start)
    return response


@dataclass(frozen=True)
class AnswerResult:
    response: IntakeResponse
    next_node: str  # the question to show next, or the outcome reached


def intake_answer(
    *, response: IntakeResponse, node: str, raw: dict[str, Any], tree_version_id: int | None
) -> AnswerResult:
    """Record the answer to ``node`` and say where it leads.

    ``raw`` holds the ``choices`` ticked and the ``text`` typed (``tree.clean_answer`` decides
    whether they fit the question); ``tree_version_id`` is the version the page was drawn from.

    Refused, with a message and nothing written, when the response is already submitted, the
    page was drawn from another tree version, the node is not on the response's current path,
    or the answer does not fit the question. Later answers are kept: going back and changing
    an answer keeps those that still apply further along.

    ``response`` is the row as the caller read it. The answer is decided on it and written only
    if the row is still as read (its ``updated_at`` unchanged), which costs no locking read. If
    something changed it meanwhile (another tab, a double click, the submission), the row is
    read again under a lock and the answer decided afresh: no write is ever based on answers
    that were no longer there.
    """
    changes, target = _answer_changes(response, node, raw, tree_version_id)
    if _answer_write(response, changes, target):
        return AnswerResult(response=_with(response, changes), next_node=target)
    with transaction.atomic():
        locked = (
            IntakeResponse.objects.with_version()
            .select_for_update(of=("self",))
            .get(pk=response.pk)
        )
        changes, target = _answer_changes(locked, node, raw, tree_version_id)
        _answer_write(locked, changes, target)  # the row is locked: still as read
    return AnswerResult(response=_with(locked, changes), next_node=target)


def _answer_write(response: IntakeResponse, changes: dict[str, Any], target: str) -> bool:
    """Write the answer's changes and the visit it leads to, both or neither, if the row is
    still as ``response`` was read; False when it was not."""
    with transaction.atomic():
        written = IntakeResponse.objects.filter(
            pk=response.pk, updated_at=response.updated_at
        ).update(**changes)
        if written:
            _record_visit(response, target)
    return bool(written)


def _answer_changes(
    response: IntakeResponse, node: str, raw: dict[str, Any], tree_version_id: int | None
) -> tuple[dict[str, Any], str]:
    """The fields that answering ``node`` on ``response`` (as read) changes, and where the
    answer leads; IntakeError when it is refused."""
    if response.status != IntakeResponse.Status.IN_PROGRESS:
        raise IntakeClosedError(
            "You have already sent these answers, so they can no longer be changed.",
            code="closed",
        )
    if tree_version_id != response.tree_version_id:
        raise StaleTreeError(
            "This page belongs to another version of the questionnaire. "
            "Here is your current question.",
            code="stale_tree",
        )
    tree = response.tree_version.parsed()
    question = tree.questions.get(node)
    if question is None or node not in tree_module.walk(tree, response.answers).path:
        raise IntakeError(
            "That question is not on your path through the questionnaire. Here is where you are.",
            code="not_on_path",
        )
    try:
        answer = tree_module.clean_answer(question, raw)
    except tree_module.AnswerError as error:
        raise IntakeError(str(error), code="bad_answer") from error

    answers = {**response.answers, node: answer}
    walk = tree_module.walk(tree, answers)
    now = timezone.now()
    changes: dict[str, Any] = {"answers": answers, "updated_at": now}
    outcome = walk.outcome.id if walk.outcome else ""
    if outcome != response.outcome:
        changes["outcome"] = outcome
    if walk.outcome and response.completed_at is None:
        changes["completed_at"] = now
    return changes, tree_module.next_node(question, answer)


def _with(response: IntakeResponse, changes: dict[str, Any]) -> IntakeResponse:
    for field, value in changes.items():
        setattr(response, field, value)
    return response


# --- Submitting a lead -----------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """The contact details of a lead, as ``forms.ContactForm`` cleaned them."""

    name: str
    email: str
    company: str
    role: str
    consent: bool


def _lead_organization(*, company: str, domain: str) -> Organization:
    """A new organisation of the lead's own, named after the company; when that name is taken,
    the domain (and a number) tell it apart. Nobody is a member until the contact proves
    their address: typing a client's name never puts a lead inside the client."""
    name = company
    for attempt in range(1, 100):
        if not Organization.objects.filter(name__iexact=name).exists():
            break
        name = f"{company} ({domain})" if attempt == 1 else f"{company} ({domain}, {attempt})"
    return Organization.objects.create(name=name[:200])


def _known_domains() -> QuerySet[User, str]:
    """The email domains of the people already here, each once (computed by the database)."""
    return (
        User.objects.annotate(domain=Substr("email", StrIndex("email", Value("@")) + 1))
        .values_list("domain", flat=True)
        .distinct()
    )


def intake_engagement_title(*, kind: str, company: str) -> str:
    """The title a lead's engagement starts with: the kind of help and for whom."""
    return f"{Engagement.Kind(kind).label} for {company}"[:200]


def intake_submit(*, response: IntakeResponse, contact: Contact) -> Engagement:
    """Turn a finished response into an unproven lead, in one transaction: an organisation of
    its own, an Engagement at stage ``lead`` of the recommended kind with no contact yet, the
    look-alikes of the company and domain noted, and a timeline event; then, after commit, the
    emails (the typed address gets its result and the link that proves it).

    The typed address is a claim: the user it names is found or, for a new address, made (no
    password, no membership, so that signing in by code can reach them), but nobody becomes a
    member of anything and no existing organisation receives the lead until the address is
    proved (``intake_lead_prove``). An existing user's row is not changed.

    Safe against double submits: a response already submitted returns its engagement.
    """
    if not contact.consent:
        raise IntakeError("Please agree that we may contact you about your answers.")
    with transaction.atomic():
        locked = (
            IntakeResponse.objects.with_version()
            .select_for_update(of=("self",))
            .get(pk=response.pk)
        )
        if locked.status == IntakeResponse.Status.SUBMITTED and locked.engagement_id:
            return Engagement.objects.get(pk=locked.engagement_id)
        walk = tree_module.walk(locked.tree_version.parsed(), locked.answers)
        if walk.outcome is None:
            raise IntakeError("Please answer the remaining questions first.", code="not_finished")
        email = normalize_email(contact.email)
        domain = email.rsplit("@", 1)[-1]
        name, company, role = contact.name, contact.company, contact.role
        user_get_or_create(email=email, name=name)
        lookalikes = find_lookalikes(
            company=company,
            domain=domain,
            names=Organization.objects.values_list("name", flat=True),
            domains=_known_domains(),
        )
        organization = _lead_organization(company=company, domain=domain)
        engagement = engagement_create(
            organization=organization,
            # What the engagement is, as the operator's board and the report's cover name it:
            # "Fractional AI CTO for Quayside Robotics", not the intake's own wording.
            title=intake_engagement_title(kind=walk.outcome.engagement_kind, company=company),
            kind=walk.outcome.engagement_kind,
            contact=None,
            by=None,
        )
        now = timezone.now()
        locked.status = IntakeResponse.Status.SUBMITTED
        locked.submitted_at = now
        locked.consent_at = now
        locked.contact_name, locked.contact_email = name, email
        locked.company, locked.role = company, role
        locked.engagement = engagement
        locked.outcome = walk.outcome.id
        locked.lookalikes = [found.as_data() for found in lookalikes]
        locked.save()
        activity_record(
            engagement=engagement,
            actor=None,  # the address is a claim: nobody is named as the sender until proved
            verb=ActivityEvent.Verb.INTAKE_SUBMITTED,
            target=locked,
            data={
                "outcome": walk.outcome.key,
                "outcome_title": walk.outcome.title,
                "tree": locked.tree_version.tree.slug,
                "tree_version": locked.tree_version.number,
                "path": walk.path,
                "contact_email": email,
                "lookalikes": locked.lookalikes,
            },
        )
        intake_submitted.send(sender=IntakeResponse, response=locked, engagement=engagement)
        from cto.intake.tasks import notify_intake_submitted  # tasks import this module

        publish_on_commit(
            notify_intake_submitted,
            (locked.pk,),
            lost="The lead is saved (notified_at stays empty); its emails are not sent.",
        )
    return engagement


def intake_remember_email(*, response: IntakeResponse, email: str) -> IntakeResponse:
    """Note where to send the resume link (an address ``forms.ResumeEmailForm`` checked), and
    send it after commit."""
    with transaction.atomic():
        locked = IntakeResponse.objects.select_for_update().get(pk=response.pk)
        if locked.status != IntakeResponse.Status.IN_PROGRESS:
            raise IntakeClosedError("You have already sent these answers.", code="closed")
        locked.resume_email = normalize_email(email)
        locked.save(update_fields=["resume_email", "updated_at"])
        from cto.intake.tasks import send_resume_link

        publish_on_commit(
            send_resume_link,
            (locked.pk,),
            lost="The resume link is not emailed; the prospect can ask for it again.",
        )
    return locked


# --- The first call -------------------------------------------------------------------------


def intake_call_request(*, response: IntakeResponse, slot: first_call.Slot) -> ActivityEvent:
    """Note on the lead's timeline that its prospect asked for a first call at ``slot`` (one
    ``forms.CallSlotForm`` offered), and tell the operators after commit, as a new lead does.

    Asking again for the same time records and sends nothing new (a second download of the
    same invitation); another time is a new request. Refused (IntakeError) before the answers
    are sent: there is no lead to call yet."""
    with transaction.atomic():
        locked = IntakeResponse.objects.select_for_update(of=("self",)).get(pk=response.pk)
        if locked.status != IntakeResponse.Status.SUBMITTED or locked.engagement_id is None:
            raise IntakeError(
                "Please send your answers first: then you can choose a time for a call.",
                code="not_submitted",
            )
        starts_at = slot.starts_at.astimezone(datetime.UTC).isoformat()
        asked = ActivityEvent.objects.filter(
            engagement_id=locked.engagement_id,
            verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED,
            data__starts_at=starts_at,
        ).first()
        if asked is not None:
            return asked
        event = activity_record(
            engagement=Engagement.objects.get(pk=locked.engagement_id),
            actor=None,  # as the lead itself: the address is a claim until proved
            verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED,
            target=locked,
            data={
                "starts_at": starts_at,
                "minutes": slot.minutes,
                "when": slot.long_label,
                "contact_email": locked.contact_email,
            },
        )
        from cto.intake.tasks import notify_intake_call_requested  # tasks import this module

        publish_on_commit(
            notify_intake_call_requested,
            (event.pk,),
            lost="The request is on the timeline (notified_at stays empty); its email is not sent.",
        )
    return event
