"""Every write of the week-one checklists. Nothing is done without evidence and an effective
date; every change locks its item, refuses a stale save and leaves a timeline event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mass_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cto.checklists import definition as definition_module
from cto.checklists.definition import RECEIPT_NEEDED
from cto.checklists.models import (
    Checklist,
    ChecklistItem,
    ChecklistTemplateVersion,
    Evidence,
)
from cto.checklists.settling import (
    evidence_note,
    items_settle_from_timeline,
    settling_event_latest,
)
from cto.checklists.uploads import ArchiveLimits, UploadError, check_content, check_upload
from cto.core.versioning import content_version_create, content_version_publish
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record
from cto.users.models import Membership, User

TEMPLATE_SLUG = "week-one"


class ChecklistError(ValidationError):
    """A refused change, with a message for the person making it."""


class StaleItemError(ChecklistError):
    def __init__(self, message: str, *, current: ChecklistItem) -> None:
        super().__init__(message, code="stale")
        self.current = current


# --- Templates ---------------------------------------------------------------------------------


@transaction.atomic
def checklist_template_version_create(
    *, definition: Any, source_name: str = "", by: User | None
) -> tuple[ChecklistTemplateVersion, bool]:
    """Validate a checklist template and store it as the next draft version (identical
    content: the existing version); nothing is stored when it is invalid."""
    return content_version_create(
        version_model=ChecklistTemplateVersion,
        definition=definition,
        source_name=source_name,
        by=by,
    )


@transaction.atomic
def checklist_template_version_publish(
    *, version: ChecklistTemplateVersion, by: User | None
) -> ChecklistTemplateVersion:
    """Publish a draft template: validated once more, then immutable and what is applied."""
    return content_version_publish(version=version, by=by)[0]


def current_template() -> ChecklistTemplateVersion | None:
    return ChecklistTemplateVersion.objects.current(TEMPLATE_SLUG)


# --- Applying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyReport:
    checklist: Checklist
    added: list[str]
    updated: list[str]
    not_in_template: list[str]  # items kept with their progress although the template dropped them


def default_owners(engagement: Engagement) -> dict[str, User | None]:
    """Who an applied item is assigned to, by its side: the client's side to the engagement's
    contact (or, without an active one, the organisation's first active member), the practice's
    to the engagement's lead operator. Nobody where there is no such person."""
    contact = engagement.contact if engagement.contact and engagement.contact.is_active else None
    if contact is None:
        first = (
            Membership.objects.filter(
                organization_id=engagement.organization_id, user__is_active=True
            )
            .select_related("user")
            .order_by("created_at", "pk")
            .first()
        )
        contact = first.user if first else None
    lead = engagement.lead if engagement.lead and engagement.lead.is_active else None
    return {ChecklistItem.Side.CLIENT: contact, ChecklistItem.Side.PRACTICE: lead}


def working_weekdays() -> frozenset[int]:
    """CHECKLIST_WORKING_DAYS as weekday numbers (checked when the app starts)."""
    return definition_module.working_weekdays(settings.CHECKLIST_WORKING_DAYS)


def checklist_apply(*, engagement: Engagement, by: User | None) -> ApplyReport:
    """Apply the newest template for the engagement's kind: create the checklist, or bring an
    existing one up to the newer version without losing progress on items that still exist
    (matched by key); items the template no longer has are kept and reported. A new item is
    assigned to a person by its side (``default_owners``), and its due day moved off days
    that are not working days (CHECKLIST_WORKING_DAYS); items waiting for an event already on
    the timeline are settled by it."""
    version = current_template()
    if version is None:
        raise ChecklistError("No checklist template is published yet (load_playbooks).")
    specs = version.parsed().items_for(engagement.kind)
    owners = default_owners(engagement)
    working = working_weekdays()
    with transaction.atomic():
        checklist, created = Checklist.objects.select_for_update().get_or_create(
            engagement=engagement, defaults={"template_version": version}
        )
        existing = {item.key: item for item in checklist.items.live() if item.key}
        added, updated = [], []
        for position, spec in enumerate(specs):
            item = existing.pop(spec.key, None)
            due_day = definition_module.working_due_day(
                engagement.start_date, spec.due_day, working
            )
            wanted = (spec.section, spec.title, spec.done_when, spec.owner, due_day)
            if item is None:
                ChecklistItem.objects.create(
                    checklist=checklist,
                    key=spec.key,
                    section=spec.section,
                    title=spec.title,
                    done_when=spec.done_when,
                    owner_side=spec.owner,
                    owner=owners[spec.owner],
                    due_day=due_day,
                    settled_by=spec.settled_by,
                    position=position,
                )
                added.append(spec.key)
            elif (
                (item.section, item.title, item.done_when, item.owner_side, item.due_day) != wanted
                or item.settled_by != spec.settled_by
                or item.position != position
            ):
                item.section, item.title, item.done_when, item.owner_side, item.due_day = wanted
                item.settled_by, item.position = spec.settled_by, position
                item.version += 1
                item.save()
                updated.append(spec.key)
        if added or updated:
            _earliest_open_day_keep(checklist.pk)
        if checklist.template_version_id != version.pk:
            checklist.template_version = version
            checklist.save(update_fields=["template_version", "updated_at"])
        if created or added or updated:
            activity_record(
                engagement=engagement,
                actor=by,
                verb=ActivityEvent.Verb.CHECKLIST_CHANGED,
                target=checklist,
                data={"change": f"applied {version} ({len(added)} added, {len(updated)} updated)"},
            )
        if added or updated:
            items_settle_from_timeline(checklist=checklist)
    return ApplyReport(checklist, added, updated, sorted(existing))


# --- Items ---------------------------------------------------------------------------------------


def may_work_on(user: User, item: ChecklistItem) -> bool:
    """Operators work on every item; client members on the items their side owns."""
    return user.is_staff or item.owner_side == ChecklistItem.Side.CLIENT


def _checklist_locked(checklist_id: int) -> None:
    """Lock the checklist before changing whether one of its items is open: changes to two of
    its items then follow one another, and each recomputes ``earliest_open_day`` seeing the
    other's. Always taken before an item's lock (as ``checklist_apply`` does), so that two
    writers never wait on each other."""
    list(Checklist.objects.select_for_update().filter(pk=checklist_id).values_list("pk"))


def _earliest_open_day_keep(checklist_id: int) -> None:
    """Recompute the checklist's ``earliest_open_day`` (its lock is held)."""
    Checklist.objects.filter(pk=checklist_id).refresh_earliest_open_day()


def _locked(item: ChecklistItem, expected_version: int | None, by: User) -> ChecklistItem:
    if not may_work_on(by, item):
        raise ChecklistError("This item is the practice's to do; you can comment on it instead.")
    locked = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("checklist__engagement", "owner", "done_by")
        .get(pk=item.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleItemError(
            "Someone changed this item since you opened the page, so your change was not saved. "
            "Here is how it stands now.",
            current=locked,
        )
    return locked


def _record(item: ChecklistItem, by: User | None, change: str) -> None:
    activity_record(
        engagement=item.checklist.engagement,
        actor=by,
        verb=ActivityEvent.Verb.CHECKLIST_CHANGED,
        target=item,
        data={"change": f"{item.title}: {change}"},
    )


@transaction.atomic
def item_set_status(
    *,
    item: ChecklistItem,
    status: ChecklistItem.Status,
    reason: str = "",
    effective_date: datetime.date | None = None,
    expected_version: int | None,
    by: User,
) -> ChecklistItem:
    """Change an item's status. Done needs evidence and the date the thing was true; blocked
    and not applicable need a reason."""
    if status not in ChecklistItem.Status.values:
        raise ChecklistError("That is not a status.")
    _checklist_locked(item.checklist_id)
    locked = _locked(item, expected_version, by)
    reason = reason.replace("\x00", "").strip()[:2000]
    if status in (ChecklistItem.Status.BLOCKED, ChecklistItem.Status.NOT_APPLICABLE) and not reason:
        raise ChecklistError("Please say why: a blocked or not-applicable item needs a reason.")
    if status == ChecklistItem.Status.DONE and locked.settled_by in RECEIPT_NEEDED:
        _receipt_as_evidence(locked)
    if status == ChecklistItem.Status.DONE:
        if not locked.evidence.exists():
            raise ChecklistError(
                "Done needs evidence: add a link, a note or a file that shows it first."
            )
        if effective_date is None:
            raise ChecklistError("Done needs the date it became true (the effective date).")
        if effective_date > timezone.localdate():
            raise ChecklistError("The effective date cannot be in the future.")
        locked.effective_date, locked.done_by, locked.done_at = effective_date, by, timezone.now()
    else:
        locked.done_by, locked.done_at = None, None
    locked.status, locked.status_reason = status, reason
    locked.version += 1
    locked.save()
    _earliest_open_day_keep(locked.checklist_id)
    _record(locked, by, f"marked {locked.get_status_display().lower()}")
    return locked


def _receipt_as_evidence(item: ChecklistItem) -> None:
    """An item that only its receipt settles (the week-one proofs) is done by hand only when
    that receipt is on the timeline (it was reopened since, say), and then with the receipt as
    its evidence; without it, refused, saying how to give it."""
    event = settling_event_latest(engagement_id=item.checklist.engagement_id, kind=item.settled_by)
    if event is None:
        raise ChecklistError(RECEIPT_NEEDED[item.settled_by])
    note = evidence_note(event, item.settled_by)
    if not item.evidence.filter(note=note).exists():
        Evidence.objects.create(item=item, kind=Evidence.Kind.NOTE, note=note, added_by=event.actor)


@transaction.atomic
def item_set_owner(
    *, item: ChecklistItem, owner: User | None, expected_version: int | None, by: User
) -> ChecklistItem:
    if not by.is_staff:
        raise ChecklistError("Only the practice assigns owners.")
    locked = _locked(item, expected_version, by)
    if (
        owner is not None
        and not owner.is_staff
        and not Membership.objects.filter(
            user=owner, organization_id=locked.checklist.engagement.organization_id
        ).exists()
    ):
        raise ChecklistError(
            "The owner must be an operator or a member of the client's organisation."
        )
    locked.owner = owner
    locked.version += 1
    locked.save(update_fields=["owner", "version"])
    _record(locked, by, f"owner set to {owner or 'nobody'}")
    return locked


def _archive_limits() -> ArchiveLimits:
    return ArchiveLimits(
        max_inflated_bytes=settings.EVIDENCE_MAX_INFLATED_BYTES,
        max_ratio=settings.EVIDENCE_MAX_INFLATE_RATIO,
        max_members=settings.EVIDENCE_MAX_ARCHIVE_MEMBERS,
    )


@transaction.atomic
def evidence_add(
    *,
    item: ChecklistItem,
    url: str = "",
    note: str = "",
    upload: UploadedFile | None = None,
    by: User,
) -> Evidence:
    """Attach one piece of evidence: a link, a note or a file (type and size checked on the
    server, stored privately under a random name)."""
    locked = _locked(item, None, by)
    url, note = url.strip(), note.replace("\x00", "").strip()
    if upload is not None:
        head = upload.read(2048)
        upload.seek(0)
        try:
            name, content_type = check_upload(
                upload.name or "", upload.size or 0, head, max_bytes=settings.EVIDENCE_MAX_BYTES
            )
            # The whole file is at hand: in memory or in a temporary file, under the size limit.
            check_content(name, upload, size=upload.size or 0, limits=_archive_limits())
        except UploadError as error:
            raise ChecklistError(str(error)) from error
        evidence = Evidence(
            item=locked,
            kind=Evidence.Kind.FILE,
            original_name=name,
            content_type=content_type,
            size=upload.size,
            added_by=by,
        )
        upload.seek(0)
        evidence.file.save(name, upload, save=False)
    elif url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise ChecklistError("A link must be a web address starting with https://.") from error
        evidence = Evidence(item=locked, kind=Evidence.Kind.LINK, url=url[:500], added_by=by)
    elif note:
        if len(note) > 4000:
            raise ChecklistError("Please keep the note under 4000 characters.")
        evidence = Evidence(item=locked, kind=Evidence.Kind.NOTE, note=note, added_by=by)
    else:
        raise ChecklistError("Add a link, a note or a file.")
    evidence.save()
    locked.version += 1
    locked.save(update_fields=["version"])
    _record(locked, by, f"evidence added ({evidence.get_kind_display().lower()})")
    return evidence


@transaction.atomic
def item_add(
    *,
    checklist: Checklist,
    section: str,
    title: str,
    done_when: str,
    owner_side: ChecklistItem.Side,
    due_day: int,
    by: User,
) -> ChecklistItem:
    if not by.is_staff:
        raise ChecklistError("Only the practice adds items.")
    if not title.strip() or not done_when.strip():
        raise ChecklistError("An item needs a title and what counts as done.")
    if owner_side not in ChecklistItem.Side.values:
        raise ChecklistError("Choose whose side does it: practice or client.")
    if not 1 <= due_day <= 5:
        raise ChecklistError("The due day is 1 to 5.")
    _checklist_locked(checklist.pk)
    item = ChecklistItem.objects.create(
        checklist=checklist,
        section=(section.strip() or "Other")[:120],
        title=title.strip()[:200],
        done_when=done_when.strip()[:2000],
        owner_side=owner_side,
        due_day=due_day,
        position=checklist.items.count(),
    )
    _earliest_open_day_keep(checklist.pk)
    _record(item, by, "added")
    return item


@transaction.atomic
def item_drop(
    *, item: ChecklistItem, reason: str, expected_version: int | None, by: User
) -> ChecklistItem:
    """Take an item out of the checklist, with a reason; it stays on record."""
    if not by.is_staff:
        raise ChecklistError("Only the practice drops items.")
    reason = reason.strip()
    if not reason:
        raise ChecklistError("Please give a reason for dropping the item.")
    _checklist_locked(item.checklist_id)
    locked = _locked(item, expected_version, by)
    locked.dropped_at, locked.dropped_reason = timezone.now(), reason[:2000]
    locked.version += 1
    locked.save(update_fields=["dropped_at", "dropped_reason", "version"])
    _earliest_open_day_keep(locked.checklist_id)
    _record(locked, by, f"dropped ({reason[:80]})")
    return locked


# --- Reminders ---------------------------------------------------------------------------------


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email each owner their overdue items and those due tomorrow: one email per person,
    none when there is nothing. Returns how many emails went out."""
    today = today or timezone.localdate()
    items = (
        ChecklistItem.objects.open()
        .filter(
            owner__isnull=False,
            owner__is_active=True,
            checklist__engagement__start_date__isnull=False,
        )
        .select_related("owner", "checklist__engagement")
    )
    rows = [(item.owner.email, item.due_date(), item.status, item) for item in items]  # type: ignore[union-attr]
    messages = []
    for reminder in definition_module.reminders(rows, today):
        context = {"reminder": reminder, "site_url": settings.SITE_URL}
        subject = render_to_string("checklists/email/reminder_subject.txt", context)
        body = render_to_string("checklists/email/reminder_body.txt", context)
        messages.append((" ".join(subject.split()), body, None, [reminder.owner_email]))
    send_mass_mail(messages)
    return len(messages)
