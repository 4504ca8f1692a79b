"""A practice years into its life, for `make bench`: thousands of client organisations, each
with engagements spread over every stage, checklists, audits, quotes, reports and timelines,
written with PostgreSQL's COPY so that millions of rows take under a minute, not hours.

It goes around the services on purpose (they write one row at a time, with locks and timeline
events: hours at this size), so it writes what they would have left behind: every row passes
its model's ``full_clean()`` and the database's constraints, and the world keeps the demo's
shape (closed engagements piling up, open ones recent, checklists on running work, audits
before proposals, quotes from the proposal on). Deterministic for a given seed. PostgreSQL
only.
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
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.pricing.services import DEFAULT_TERMS, LABELS
from cto.reports.models import Report
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
# A quote was sent once an engagement reached a proposal; the client accepted it if the work
# went ahead. Of the lost engagements, this share were lost on the quote (declined).
QUOTED = {Stage.PROPOSAL, Stage.ACTIVE, Stage.ONGOING, Stage.COMPLETED}
LOST_ON_THE_QUOTE = 0.3
QUOTE_VALID_DAYS = 30
# The week-one report is rendered once the week is done; now and then a second version failed
# (a render that timed out), which the dashboard lists until a later version replaces it.
REPORT_FAILED_SHARE = 0.02
REPORT_GENERATOR = "cto-reports/1 weasyprint/seeded"
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
    """Add ``sizes`` worth of organisations, people, engagements, timelines, checklists,
    audits, quotes and reports next to whatever is there (the demo, typically), in one
    transaction, then ANALYZE the tables it wrote. Needs the checklist and audit templates and
    the pricing tiers loaded and published (seed_demo does)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The scale seeder writes with PostgreSQL's COPY.")
    checklist_version = current_template()
    audit_version = AuditTemplateVersion.objects.current("ai-readiness")
    tiers = {
        kind: list(PricingTier.objects.filter(kind=kind, active=True).order_by("order")[:3])
        for kind in PricingTier.Kind.values
    }
    if checklist_version is None or audit_version is None or not all(tiers.values()):
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
        world.quotes(raw, tiers)
        world.reports(raw)
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

    def _quoted(self, e: _Engagement) -> bool:
        if e.stage in QUOTED or e.paused_from in (Stage.PROPOSAL, Stage.ACTIVE):
            return True
        return e.stage == Stage.LOST and self.rng.random() < LOST_ON_THE_QUOTE

    def quotes(self, cursor: Any, tiers: dict[str, list[PricingTier]]) -> None:
        """One quote per engagement that reached a proposal, with an option per tier of its kind
        (the tier's retainer and week-one fee as its lines), as quote_draft and quote_send leave
        it: sent and waiting (some expiring, some expired), accepted by the client's contact
        when the work went ahead, declined when the engagement was lost on it."""
        quoted = [e for e in self.engagements_written if self._quoted(e)]
        if not quoted:
            return
        first_quote = _reserve_ids(cursor, Quote, len(quoted))
        first_option = _reserve_ids(cursor, QuoteOption, sum(len(tiers[e.kind]) for e in quoted))
        options: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        accepted_status = Quote.Status.ACCEPTED.value

        def rows() -> Iterable[tuple[Any, ...]]:
            option_pk = first_option
            for i, e in enumerate(quoted):
                pk = first_quote + i
                kind_tiers = tiers[e.kind]
                labels = LABELS[: len(kind_tiers)]
                recommended = labels[min(1, len(labels) - 1)]
                waiting = e.stage == Stage.PROPOSAL or e.paused_from == Stage.PROPOSAL
                # Sent as the engagement moved to its proposal: for one still there, when it
                # moved; for one that went further, a little after it was created.
                sent = (
                    e.stage_changed_at
                    if waiting
                    else e.created_at
                    + (e.stage_changed_at - e.created_at) * self.rng.uniform(0.1, 0.3)
                )
                if waiting:
                    status = Quote.Status.SENT.value
                elif e.stage == Stage.LOST:
                    status = Quote.Status.DECLINED.value
                else:
                    status = accepted_status
                # Answered a few days after it was sent; an active engagement became active then.
                latest = e.stage_changed_at if e.stage == Stage.ACTIVE else self.now
                answered = sent + datetime.timedelta(days=self.rng.uniform(1, 10))
                accepted = max(sent, min(answered, latest, self.now))
                chosen = None
                for position, (label, tier) in enumerate(zip(labels, kind_tiers, strict=True)):
                    if label == recommended:
                        chosen = option_pk
                    options.append(
                        (option_pk, pk, label, tier.pk, tier.minimum_term_months, position)
                    )
                    lines.append(
                        (option_pk, f"{tier.name}: monthly retainer", "amount", "monthly",
                         tier.monthly_retainer, None, "", "", 0)
                    )  # fmt: skip
                    lines.append(
                        (option_pk, "Week one: readiness audit and first deliverable", "amount",
                         "one_off", tier.week_one_fee, None, "", "", 1)
                    )  # fmt: skip
                    option_pk += 1
                is_accepted = status == accepted_status
                yield (
                    pk,
                    e.pk,
                    1,  # number
                    1,  # revision
                    None,  # supersedes
                    status,
                    kind_tiers[0].currency,
                    timezone.localdate(sent) + datetime.timedelta(days=QUOTE_VALID_DAYS),
                    DEFAULT_TERMS,
                    recommended,
                    "Seeded: the middle option, as most quotes recommend.",
                    e.lead_id,
                    sent,
                    chosen if is_accepted else None,
                    accepted if is_accepted else None,
                    # The chosen option's total: its retainer is its only monthly line.
                    kind_tiers[labels.index(recommended)].monthly_retainer if is_accepted else None,
                    e.contact_id if is_accepted else None,
                    "Seeded signer" if is_accepted else "",
                    None,  # signer_ip
                    "",  # signer_user_agent
                    2 if waiting else 3,  # version: drafted, sent (and answered)
                    e.created_at,
                    accepted if not waiting else sent,
                )

        columns = [
            "id",
            "engagement_id",
            "number",
            "revision",
            "supersedes_id",
            "status",
            "currency",
            "valid_until",
            "terms",
            "recommended_label",
            "recommendation_reason",
            "created_by_id",
            "sent_at",
            "accepted_option_id",
            "accepted_at",
            "accepted_monthly",
            "accepted_by_id",
            "signer_name",
            "signer_ip",
            "signer_user_agent",
            "version",
            "created_at",
            "updated_at",
        ]
        self._count(Quote, _copy(cursor, Quote, columns, rows()))
        columns = ["id", "quote_id", "label", "tier_id", "minimum_term_months", "position"]
        self._count(QuoteOption, _copy(cursor, QuoteOption, columns, options))
        columns = [
            "option_id",
            "label",
            "kind",
            "period",
            "amount",
            "factor",
            "reason",
            "driver",
            "position",
        ]
        self._count(QuoteLine, _copy(cursor, QuoteLine, columns, lines))

    def reports(self, cursor: Any) -> None:
        """The week-one report (version 1, ready) of every engagement that had a week one, and
        now and then a failed version 2. No PDF is written: the rows name where it would be,
        and the pages measured list reports without opening them."""
        week = datetime.timedelta(days=5)
        done = self.today - week
        rendered = [e for e in self.engagements_written if e.start_date and e.start_date <= done]
        failed = [e for e in rendered if self.rng.random() < REPORT_FAILED_SHARE]
        if not rendered:
            return
        first_id = _reserve_ids(cursor, Report, len(rendered) + len(failed))
        kind = Report.Kind.WEEK_ONE.value
        # What the render read, reduced to a mark: nothing renders a seeded report again.
        snapshot = json.dumps({"generator": REPORT_GENERATOR, "seeded": True})

        def rows() -> Iterable[tuple[Any, ...]]:
            pk = first_id
            for e in rendered:
                day = (e.start_date or self.today) + week
                evening = datetime.datetime.combine(day, datetime.time(17), datetime.UTC)
                made = min(evening, self.now)
                yield (
                    pk, e.pk, kind, 1, Report.Status.READY.value, snapshot, "", REPORT_GENERATOR,
                    f"reports/{e.pk}/report-{pk}.pdf", secrets.token_hex(32), 12,
                    self.rng.randint(150_000, 400_000), self.rng.randint(900, 2500), 1, "",
                    made, e.lead_id, made, made,
                )  # fmt: skip
                pk += 1
            for e in failed:
                when = self._ago(0, 20)
                yield (
                    pk, e.pk, kind, 2, Report.Status.FAILED.value, snapshot, "", REPORT_GENERATOR,
                    "", "", None, None, None, 3,
                    "The render took longer than REPORT_RENDER_SECONDS and was stopped.",
                    None, e.lead_id, when, when,
                )  # fmt: skip
                pk += 1

        columns = [
            "id",
            "engagement_id",
            "kind",
            "number",
            "status",
            "snapshot",
            "snapshot_sha256",
            "generator",
            "file",
            "sha256",
            "pages",
            "bytes",
            "render_ms",
            "attempts",
            "error",
            "notified_at",
            "requested_by_id",
            "created_at",
            "updated_at",
        ]
        self._count(Report, _copy(cursor, Report, columns, rows()))


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
