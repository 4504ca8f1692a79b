"""Races: identical requests at the same instant, each thread on its own database connection.

- 20 identical intake submissions of one response make 1 engagement (the response row lock);
- 20 identical stage transitions make 1 move and 1 timeline event (the engagement row lock);
- 100 random interleavings of a client's and an operator's edit of one checklist item lose no
  edit silently: an edit made on a version that is no longer current is refused as stale.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connection

from cto.checklists import services as checklist_services
from cto.checklists.models import ChecklistItem
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import TransitionError, engagement_create, engagement_transition
from cto.intake import services as intake_services
from cto.users.models import User
from drills import scene
from drills.verdict import Verdict

SUBMITTERS = 20
MOVERS = 20
ROUNDS = 100


def _all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; each returns its result or the
    exception it raised, and closes its own database connection."""
    barrier = threading.Barrier(count)

    def one(index: int) -> Any:
        try:
            barrier.wait(timeout=30)
            return work(index)
        except Exception as error:  # the outcome of each racer is the figure
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def _submissions() -> tuple[bool, str]:
    response = scene.finished_response()
    contact = intake_services.Contact(
        name="Pat Lee", email="pat@race.example", company="Race Ltd", role="CEO", consent=True
    )
    before = Engagement.objects.count()
    results = _all_at_once(
        SUBMITTERS, lambda _: intake_services.intake_submit(response=response, contact=contact).pk
    )
    made = Engagement.objects.count() - before
    errors = [r for r in results if isinstance(r, Exception)]
    same = len({r for r in results if not isinstance(r, Exception)}) == 1
    figures = f"{SUBMITTERS} submissions → {made} engagement"
    if errors:
        figures += f" ({len(errors)} errors: {errors[0]!r})"
    return made == 1 and same and not errors, figures


def _transitions(operator: User) -> tuple[bool, str]:
    engagement = engagement_create(
        organization=scene.organization(), title="Race", kind="ai", by=operator
    )
    results = _all_at_once(
        MOVERS,
        lambda _: engagement_transition(engagement=engagement, to="qualified", by=operator),
    )
    moved = sum(isinstance(r, Engagement) for r in results)
    refused = sum(isinstance(r, TransitionError) for r in results)
    events = ActivityEvent.objects.filter(
        engagement=engagement, verb=ActivityEvent.Verb.STAGE_CHANGED
    ).count()
    engagement.refresh_from_db()
    passed = moved == 1 and refused == MOVERS - 1 and events == 1
    passed = passed and engagement.stage == "qualified" and engagement.version == 2
    return passed, f"{MOVERS} transitions → {moved} moved, {events} event, {refused} refused"


@dataclass
class Edit:
    actor: str
    seen: int
    result: int | None  # the version the edit produced; None when refused as stale
    reason: str


def _edit(item_pk: int, user: User, actor: str, round_no: int, rng: random.Random) -> Edit:
    """Open the item (read its version), think a moment, save a status on that version."""
    time.sleep(rng.uniform(0, 0.004))
    seen = ChecklistItem.objects.get(pk=item_pk)
    time.sleep(rng.uniform(0, 0.004))
    status = rng.choice(
        [ChecklistItem.Status.TODO, ChecklistItem.Status.IN_PROGRESS, ChecklistItem.Status.BLOCKED]
    )
    reason = f"{actor} in round {round_no}"
    try:
        saved = checklist_services.item_set_status(
            item=seen, status=status, reason=reason, expected_version=seen.version, by=user
        )
    except checklist_services.StaleItemError:
        return Edit(actor, seen.version, None, reason)
    return Edit(actor, seen.version, saved.version, reason)


def _interleavings(operator: User) -> tuple[bool, str]:
    organization = scene.organization()
    member = scene.client_member(organization)
    engagement = engagement_create(
        organization=organization, title="Checklist race", kind="ai", by=operator
    )
    checklist = checklist_services.checklist_apply(engagement=engagement, by=operator).checklist
    item = checklist.items.filter(owner_side=ChecklistItem.Side.CLIENT).first()
    if item is None:
        return False, "no client-side item in the shipped checklist"
    rng = random.Random(10)  # noqa: S311  # a fixed seed for jitter, not for secrets
    overwrites = contested = stale = accepted = 0
    for round_no in range(ROUNDS):
        start = ChecklistItem.objects.get(pk=item.pk).version
        seeds = [rng.random(), rng.random()]

        def one_edit(i: int, n: int = round_no, s: list[float] = seeds) -> Edit:
            return _edit(
                item.pk,
                member if i == 0 else operator,
                "client" if i == 0 else "operator",
                n,
                random.Random(s[i]),  # noqa: S311  # jitter only
            )

        edits: list[Edit] = _all_at_once(2, one_edit)
        if any(isinstance(edit, Exception) for edit in edits):
            return False, f"round {round_no}: {edits!r}"
        close_old_connections()
        now = ChecklistItem.objects.get(pk=item.pk)
        done = [edit for edit in edits if edit.result is not None]
        accepted += len(done)
        stale += len(edits) - len(done)
        contested += edits[0].seen == edits[1].seen
        # An accepted edit must have been made on the version it replaced, each version is
        # produced once, and the item holds the last accepted edit with nothing lost in between.
        overwrites += sum(edit.result != edit.seen + 1 for edit in done)
        overwrites += len(done) - len({edit.result for edit in done})
        last = max(done, key=lambda edit: edit.result or 0, default=None)
        if now.version != start + len(done) or (last and now.status_reason != last.reason):
            overwrites += 1
    passed = overwrites == 0 and contested > 0 and stale > 0
    return passed, (
        f"{ROUNDS} interleavings ({contested} contested, {accepted} edits saved, "
        f"{stale} refused as stale) → {overwrites} silent overwrites"
    )


def run() -> Verdict:
    operator = scene.operator()
    ok_submit, submit = _submissions()
    ok_move, move = _transitions(operator)
    ok_edit, edit = _interleavings(operator)
    return Verdict("races", ok_submit and ok_move and ok_edit, f"{submit}, {move}; {edit}")
