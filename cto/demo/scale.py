"""A practice years into its life, for `make bench`: thousands of client organisations, each
with engagements spread over every stage, checklists, audits and timelines, written with
PostgreSQL's COPY so that a million rows take minutes, not hours.

It goes around the services on purpose (they write one row at a time, with locks and timeline
events: hours at this size), so it writes what they would have left behind: every row passes
its model's ``full_clean()`` and the database's constraints, and the world keeps the demo's
shape (closed engagements piling up, open ones recent, checklists on running work, audits
before proposals). Deterministic for a given seed. PostgreSQL only.
"""

from __future__ import annotations

import datetime
import json
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from cto.audits.models import Audit, AuditAnswer, AuditTemplateVersion
from cto.checklists import template as checklist_template
from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.services import current_template
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.users.models import Membership, Organization, User


@dataclass(frozen=True)
class ScaleSizes:
    """How much to add. The defaults are the issue's: 10k organisations, 100k engagements,
    1M checklist items, 100k audits."""

    organizations: int = 10_000
    engagements: int = 100_000
    checklist_items: int = 1_000_000
    audits: int = 100_000

    def scaled(self, factor: float) -> ScaleSizes:
        return ScaleSizes(**{name: max(1, round(n * factor)) for name, n in asdict(self).items()})


@dataclass(frozen=True)
class ScaleReport:
    rows: dict[str, int]  # model label → rows added
    seconds: float


# Where engagements sit after a few years: most work closed (completed or lost), a thin layer of
# open work on top. Weights in percent.
STAGE_MIX: tuple[tuple[Stage, int], ...] = (
    (Stage.LEAD, 4),
    (Stage.QUALIFIED, 2),
    (Stage.AUDIT, 2),
    (Stage.PROPOSAL, 2),
    (Stage.ACTIVE, 3),
    (Stage.ONGOING, 5),
    (Stage.PAUSED, 2),
    (Stage.COMPLETED, 50),
    (Stage.LOST, 30),
)
# An engagement has had an audit once it went past `audit` (an AI one almost always did).
AUDITED = {Stage.AUDIT, Stage.PROPOSAL, Stage.ACTIVE, Stage.ONGOING, Stage.COMPLETED}
# The checklist is applied when an engagement becomes active.
WITH_CHECKLIST = {Stage.ACTIVE, Stage.ONGOING, Stage.COMPLETED}
PAUSED_FROM = (Stage.QUALIFIED, Stage.AUDIT, Stage.PROPOSAL, Stage.ACTIVE)
OPERATORS = 20
MEMBERS_PER_ORGANIZATION = 2
# A locked audit keeps a sample of its answers: the pages measured never read them, and all of
# them would triple the rows for nothing.
LOCKED_AUDIT_ANSWERS = 4

WORDS_A = (
    "Northern",
    "Blue",
    "Quiet",
    "Rapid",
    "Granite",
    "Silver",
    "Harbor",
    "Summit",
    "Maple",
    "Copper",
    "Bright",
    "Open",
    "Clear",
    "Iron",
    "Cedar",
    "Golden",
    "Polar",
    "Lumen",
)
WORDS_B = (
    "Analytics",
    "Logistics",
    "Health",
    "Robotics",
    "Finance",
    "Foods",
    "Energy",
    "Media",
    "Labs",
    "Systems",
    "Mobility",
    "Retail",
    "Insurance",
    "Learning",
    "Security",
    "Travel",
)
FIRST = ("Ada", "Sam", "Noor", "Lin", "Kofi", "Mara", "Iker", "Yuki", "Ravi", "Elena", "Tom")
LAST = ("Lovell", "Okafor", "Haddad", "Chen", "Mensah", "Novak", "Ortiz", "Sato", "Iyer")
TITLES = (
    "Platform modernisation",
    "AI support agent to production",
    "Retrieval quality review",
    "Data platform",
    "Cloud cost review",
    "Security baseline",
    "Hiring plan for engineering",
    "Mobile app rebuild",
    "Fraud model in production",
    "Search relevance",
    "Due diligence",
)


def seed_scale(*, sizes: ScaleSizes, seed: int = 1) -> ScaleReport:
    """Add ``sizes`` worth of organisations, people, engagements, timelines, checklists and
    audits next to whatever is there (the demo, typically), in one transaction, then ANALYZE
    the tables it wrote. Needs the checklist and audit templates loaded and published."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The scale seeder writes with PostgreSQL's COPY.")
    checklist_version = current_template()
    audit_version = AuditTemplateVersion.objects.current("ai-readiness")
    if checklist_version is None or audit_version is None:
        raise RuntimeError("Load and publish the playbooks first (seed_demo does).")
    started = timezone.now()
    # Not for secrets: the same seed must give the same world.
    world = _World(sizes, random.Random(seed), started)  # noqa: S311  # see above
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no COPY
        world.users(raw)
        world.organizations(raw)
        world.engagements(raw)
        world.checklists(raw, checklist_version.pk, checklist_version.parsed())
        world.audits(raw, audit_version.pk, list(audit_version.parsed().questions))
    with connection.cursor() as cursor:
        for model in world.rows:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    seconds = (timezone.now() - started).total_seconds()
    return ScaleReport({model._meta.label: n for model, n in world.rows.items()}, seconds)


# --- Writing -------------------------------------------------------------------------------------


def _reserve_ids(cursor: Any, model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive ids taken from the table's sequence, so that rows can
    name each other before they are written."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
    return int(cursor.fetchone()[0]) - count + 1


def _copy(
    cursor: Any, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY ``rows`` (values in the order of ``columns``, the database's column names)."""
    table = model._meta.db_table
    names = ", ".join(f'"{column}"' for column in columns)
    written = 0
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


@dataclass
class _Engagement:
    """What the later tables need to know of an engagement written earlier."""

    pk: int
    kind: str
    stage: Stage
    paused_from: str
    created_at: datetime.datetime
    stage_changed_at: datetime.datetime
    start_date: datetime.date | None
    lead_id: int
    contact_id: int


class _World:
    def __init__(self, sizes: ScaleSizes, rng: random.Random, now: datetime.datetime) -> None:
        self.sizes, self.rng, self.now = sizes, rng, now
        self.today = timezone.localdate(now)
        self.rows: dict[type[models.Model], int] = {}
        self.operator_ids: list[int] = []
        self.member_ids: list[list[int]] = []  # per organisation, its owner first
        self.organization_ids: list[int] = []
        self.engagements_written: list[_Engagement] = []
        # Not from the seed: a second run with the same seed adds the same shape under new
        # names (organisation names and emails are unique).
        self.tag = secrets.token_hex(3)

    def _count(self, model: type[models.Model], n: int) -> None:
        self.rows[model] = self.rows.get(model, 0) + n

    def _ago(self, low_days: float, high_days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(low_days, high_days))

    def users(self, cursor: Any) -> None:
        """Operators to lead the work, and each organisation's owner and member."""
        n_orgs = self.sizes.organizations
        total = OPERATORS + n_orgs * MEMBERS_PER_ORGANIZATION
        first_id = _reserve_ids(cursor, User, total)
        # One hash for everyone: nobody signs in as them, and hashing 20k passwords takes minutes.
        password = make_password(None)
        columns = [
            "id",
            "password",
            "is_superuser",
            "email",
            "name",
            "is_staff",
            "is_active",
            "date_joined",
        ]

        def rows() -> Iterable[tuple[Any, ...]]:
            pk = first_id
            for index in range(OPERATORS):
                self.operator_ids.append(pk)
                email = f"operator{index}.{self.tag}@practice.example"
                yield (pk, password, False, email, f"Operator {index}", True, True, self.now)
                pk += 1
            for org in range(n_orgs):
                people = []
                for member in range(MEMBERS_PER_ORGANIZATION):
                    first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
                    email = f"{first}.{last}{member}@org{org}-{self.tag}.example".lower()
                    yield (pk, password, False, email, f"{first} {last}", False, True, self.now)
                    people.append(pk)
                    pk += 1
                self.member_ids.append(people)

        self._count(User, _copy(cursor, User, columns, rows()))

    def organizations(self, cursor: Any) -> None:
        n = self.sizes.organizations
        first_id = _reserve_ids(cursor, Organization, n)
        self.organization_ids = list(range(first_id, first_id + n))

        def rows() -> Iterable[tuple[Any, ...]]:
            for index, pk in enumerate(self.organization_ids):
                name = f"{self.rng.choice(WORDS_A)} {self.rng.choice(WORDS_B)} {index}-{self.tag}"
                website = f"https://org{index}-{self.tag}.example"
                created = self._ago(0, 5 * 365)
                yield (pk, name, website, created, created)

        columns = ["id", "name", "website", "created_at", "updated_at"]
        self._count(Organization, _copy(cursor, Organization, columns, rows()))

        def memberships() -> Iterable[tuple[Any, ...]]:
            for org_pk, people in zip(self.organization_ids, self.member_ids, strict=True):
                for position, user_pk in enumerate(people):
                    role = Membership.Role.OWNER if position == 0 else Membership.Role.MEMBER
                    yield (user_pk, org_pk, role.value, self.now, self.now)

        columns = ["user_id", "organization_id", "role", "created_at", "updated_at"]
        self._count(Membership, _copy(cursor, Membership, columns, memberships()))

    def _stage(self) -> Stage:
        stages, weights = zip(*STAGE_MIX, strict=True)
        return self.rng.choices(stages, weights)[0]

    def _engagement(self, pk: int, index: int) -> _Engagement:
        rng = self.rng
        stage = self._stage()
        paused_from = rng.choice(PAUSED_FROM).value if stage == Stage.PAUSED else ""
        working = stage in (Stage.ACTIVE, Stage.PAUSED, Stage.ONGOING)
        if stage == Stage.LEAD:
            created = self._ago(0, 30)
        elif stage in (Stage.COMPLETED, Stage.LOST):
            created = self._ago(60, 5 * 365)
        else:
            created = self._ago(20, 180 if working else 90)
        # Moved into its stage somewhere between its creation and now (days ago for active
        # work: the week-one checklist is still running).
        if stage == Stage.ACTIVE:
            changed = self._ago(0, 12)
        elif stage == Stage.LEAD:
            changed = created
        else:
            changed = created + (self.now - created) * rng.uniform(0.1, 0.9)
        changed = max(changed, created)
        start = None
        if stage in WITH_CHECKLIST or paused_from == Stage.ACTIVE:
            start = timezone.localdate(changed if stage == Stage.ACTIVE else created) + (
                datetime.timedelta(days=rng.randint(0, 7))
            )
            start = min(start, self.today)
        org = index % len(self.organization_ids)
        return _Engagement(
            pk=pk,
            kind=Engagement.Kind.AI if rng.random() < 0.4 else Engagement.Kind.GENERIC,
            stage=stage,
            paused_from=paused_from,
            created_at=created,
            stage_changed_at=changed,
            start_date=start,
            lead_id=rng.choice(self.operator_ids),
            contact_id=self.member_ids[org][0],
        )

    def engagements(self, cursor: Any) -> None:
        n = self.sizes.engagements
        first_id = _reserve_ids(cursor, Engagement, n)
        columns = [
            "id",
            "organization_id",
            "title",
            "kind",
            "kind_confirmed",
            "stage",
            "paused_from",
            "lead_id",
            "contact_id",
            "start_date",
            "stage_changed_at",
            "version",
            "created_at",
            "updated_at",
        ]

        def rows() -> Iterable[tuple[Any, ...]]:
            for index in range(n):
                e = self._engagement(first_id + index, index)
                self.engagements_written.append(e)
                org = self.organization_ids[index % len(self.organization_ids)]
                title = f"{self.rng.choice(TITLES)} {index // len(self.organization_ids) + 1}"
                moved = e.stage != Stage.LEAD
                yield (
                    e.pk,
                    org,
                    title,
                    e.kind,
                    moved,
                    e.stage.value,
                    e.paused_from,
                    e.lead_id,
                    e.contact_id,
                    e.start_date,
                    e.stage_changed_at if moved else None,
                    2 if moved else 1,
                    e.created_at,
                    e.stage_changed_at,
                )

        self._count(Engagement, _copy(cursor, Engagement, columns, rows()))

        def events() -> Iterable[tuple[Any, ...]]:
            created = ActivityEvent.Verb.CREATED.value
            moved = ActivityEvent.Verb.STAGE_CHANGED.value
            for e in self.engagements_written:
                yield (e.pk, e.lead_id, created, "{}", e.created_at)
                if e.stage != Stage.LEAD:
                    before = e.paused_from or _before(e.stage)
                    data = json.dumps({"from": before, "to": e.stage.value})
                    yield (e.pk, e.lead_id, moved, data, e.stage_changed_at)

        columns = ["engagement_id", "actor_id", "verb", "data", "created_at"]
        self._count(ActivityEvent, _copy(cursor, ActivityEvent, columns, events()))

    def checklists(
        self, cursor: Any, version_pk: int, spec: checklist_template.ChecklistSpec
    ) -> None:
        """A checklist on every engagement that became active, sharing the items between them;
        the template's items first, then items added by hand when there are more to place."""
        owners = [e for e in self.engagements_written if e.stage in WITH_CHECKLIST or e.start_date]
        if not owners:
            return
        first_id = _reserve_ids(cursor, Checklist, len(owners))
        columns = ["id", "engagement_id", "template_version_id", "created_at", "updated_at"]
        rows = [
            (first_id + i, e.pk, version_pk, e.stage_changed_at, e.stage_changed_at)
            for i, e in enumerate(owners)
        ]
        self._count(Checklist, _copy(cursor, Checklist, columns, rows))
        per, extra = divmod(self.sizes.checklist_items, len(owners))
        specs = {kind: spec.items_for(kind) for kind in Engagement.Kind.values}

        def items() -> Iterable[tuple[Any, ...]]:
            for i, e in enumerate(owners):
                kind_specs = specs[e.kind]
                for position in range(per + (1 if i < extra else 0)):
                    yield self._item(first_id + i, e, position, kind_specs)

        columns = [
            "checklist_id",
            "key",
            "section",
            "title",
            "done_when",
            "owner_side",
            "owner_id",
            "due_day",
            "position",
            "status",
            "status_reason",
            "effective_date",
            "done_by_id",
            "done_at",
            "dropped_reason",
            "version",
        ]
        self._count(ChecklistItem, _copy(cursor, ChecklistItem, columns, items()))
        Checklist.objects.filter(
            pk__gte=first_id, pk__lt=first_id + len(owners)
        ).refresh_earliest_open_day()

    def _item(
        self,
        checklist_pk: int,
        e: _Engagement,
        position: int,
        specs: list[checklist_template.ItemSpec],
    ) -> tuple[Any, ...]:
        rng = self.rng
        if position < len(specs):
            s = specs[position]
            key, section, title, done_when = s.key, s.section, s.title, s.done_when
            side, due_day = s.owner, s.due_day
        else:
            key, section = "", "Added during the engagement"
            title = f"Follow-up {position - len(specs) + 1}"
            done_when = "The follow-up agreed at the weekly review is done and written down"
            side, due_day = rng.choice(("practice", "client")), rng.randint(1, 10)
        due = checklist_template.due_date(e.start_date, due_day)
        status = self._item_status(e, due)
        reason = ""
        if status == ChecklistItem.Status.BLOCKED:
            reason = "Waiting on the client for access."
        elif status == ChecklistItem.Status.NOT_APPLICABLE:
            reason = "Does not apply to this client."
        done = status == ChecklistItem.Status.DONE and due is not None
        done_at = (
            timezone.make_aware(datetime.datetime.combine(due, datetime.time(16)))
            if done and due
            else None
        )
        owner = e.contact_id if side == "client" and rng.random() < 0.5 else None
        return (
            checklist_pk,
            key,
            section,
            title,
            done_when,
            side,
            owner,
            due_day,
            position,
            status.value,
            reason,
            due if done else None,
            e.lead_id if done else None,
            done_at,
            "",
            1,
        )

    def _item_status(self, e: _Engagement, due: datetime.date | None) -> ChecklistItem.Status:
        """Closed work is finished; ongoing work has the odd straggler; active work is done
        up to about today, with some of it late or blocked."""
        roll = self.rng.random()
        status = ChecklistItem.Status
        if due is None:
            return status.TODO
        if e.stage == Stage.COMPLETED:
            return status.NOT_APPLICABLE if roll < 0.05 else status.DONE
        if e.stage == Stage.ONGOING:
            return status.IN_PROGRESS if roll < 0.01 else status.DONE
        if due < self.today:
            if roll < 0.7:
                return status.DONE
            if roll < 0.75:
                return status.BLOCKED
            return status.IN_PROGRESS if roll < 0.85 else status.TODO
        return status.IN_PROGRESS if roll < 0.25 else status.TODO

    def audits(self, cursor: Any, version_pk: int, questions: list[str]) -> None:
        """Audits shared out over the engagements that went through an audit, numbered from 1;
        all locked but the latest of an engagement still at the audit stage."""
        audited = [
            e
            for e in self.engagements_written
            if e.stage in AUDITED or e.paused_from in (Stage.PROPOSAL, Stage.ACTIVE)
        ]
        if not audited:
            return
        per, extra = divmod(self.sizes.audits, len(audited))
        total = self.sizes.audits
        first_id = _reserve_ids(cursor, Audit, total)
        answers: list[tuple[Any, ...]] = []

        def rows() -> Iterable[tuple[Any, ...]]:
            pk = first_id
            for i, e in enumerate(audited):
                count = per + (1 if i < extra else 0)
                span = e.stage_changed_at - e.created_at
                for number in range(1, count + 1):
                    opened = e.created_at + span * (number / (count + 1))
                    is_open = e.stage == Stage.AUDIT and number == count
                    locked = None if is_open else opened + datetime.timedelta(days=3)
                    status = Audit.Status.OPEN if is_open else Audit.Status.LOCKED
                    shown = (
                        questions[: self.rng.randint(0, len(questions) // 2)]
                        if is_open
                        else questions[:LOCKED_AUDIT_ANSWERS]
                    )
                    yield (
                        pk,
                        e.pk,
                        version_pk,
                        number,
                        status.value,
                        e.lead_id,
                        locked,
                        None if is_open else e.lead_id,
                        opened,
                        locked or opened,
                        (locked or opened) if shown else None,
                    )
                    for question in shown:
                        level = self.rng.randint(0, 4)
                        answers.append(
                            (pk, question, level, False, "", "", e.contact_id, locked or opened, 1)
                        )
                    pk += 1

        columns = [
            "id",
            "engagement_id",
            "template_version_id",
            "number",
            "status",
            "opened_by_id",
            "locked_at",
            "locked_by_id",
            "created_at",
            "updated_at",
            "last_answered_at",
        ]
        self._count(Audit, _copy(cursor, Audit, columns, rows()))
        columns = [
            "audit_id",
            "question",
            "level",
            "not_applicable",
            "note",
            "evidence_url",
            "answered_by_id",
            "updated_at",
            "version",
        ]
        self._count(AuditAnswer, _copy(cursor, AuditAnswer, columns, answers))


def _before(stage: Stage) -> str:
    """The stage an engagement most likely came from: the timeline's "from"."""
    return {
        Stage.QUALIFIED: Stage.LEAD,
        Stage.AUDIT: Stage.QUALIFIED,
        Stage.PROPOSAL: Stage.AUDIT,
        Stage.ACTIVE: Stage.PROPOSAL,
        Stage.ONGOING: Stage.ACTIVE,
        Stage.COMPLETED: Stage.ONGOING,
        Stage.LOST: Stage.QUALIFIED,
    }.get(stage, Stage.LEAD).value


def sizes_from(factor: float, **explicit: int | None) -> ScaleSizes:
    """The issue's sizes times ``factor``, with any size given outright taking precedence."""
    chosen = {name: value for name, value in explicit.items() if value is not None}
    return replace(ScaleSizes().scaled(factor), **chosen)
