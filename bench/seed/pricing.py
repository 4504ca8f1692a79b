"""Quotes from the proposal on: sent, accepted or declined as the engagement went."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from bench.seed.world import SeededEngagement, World, copy_rows, reserve_ids
from cto.engagements.stages import Stage
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.pricing.services import DEFAULT_TERMS, LABELS

# A quote was sent once an engagement reached a proposal; the client accepted it if the work
# went ahead. Of the lost engagements, this share were lost on the quote (declined).
QUOTED = {Stage.PROPOSAL, Stage.ACTIVE, Stage.ONGOING, Stage.COMPLETED}
LOST_ON_THE_QUOTE = 0.3
QUOTE_VALID_DAYS = 30


def _quoted(world: World, e: SeededEngagement) -> bool:
    if e.stage in QUOTED or e.paused_from in (Stage.PROPOSAL, Stage.ACTIVE):
        return True
    return e.stage == Stage.LOST and world.rng.random() < LOST_ON_THE_QUOTE


def quotes_write(world: World, cursor: Any, tiers: dict[str, list[PricingTier]]) -> None:
    """One quote per engagement that reached a proposal, with an option per tier of its kind
    (the tier's retainer and week-one fee as its lines), as quote_draft and quote_send leave
    it: sent and waiting (some expiring, some expired), accepted by the client's contact
    when the work went ahead, declined when the engagement was lost on it."""
    quoted = [e for e in world.engagements_written if _quoted(world, e)]
    if not quoted:
        return
    first_quote = reserve_ids(cursor, Quote, len(quoted))
    first_option = reserve_ids(cursor, QuoteOption, sum(len(tiers[e.kind]) for e in quoted))
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
                + (e.stage_changed_at - e.created_at) * world.rng.uniform(0.1, 0.3)
            )
            if waiting:
                status = Quote.Status.SENT.value
            elif e.stage == Stage.LOST:
                status = Quote.Status.DECLINED.value
            else:
                status = accepted_status
            # Answered a few days after it was sent; an active engagement became active then.
            latest = e.stage_changed_at if e.stage == Stage.ACTIVE else world.now
            answered = sent + datetime.timedelta(days=world.rng.uniform(1, 10))
            accepted = max(sent, min(answered, latest, world.now))
            chosen = None
            for position, (label, tier) in enumerate(zip(labels, kind_tiers, strict=True)):
                if label == recommended:
                    chosen = option_pk
                options.append((option_pk, pk, label, tier.pk, tier.minimum_term_months, position))
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
    world.count(Quote, copy_rows(cursor, Quote, columns, rows()))
    columns = ["id", "quote_id", "label", "tier_id", "minimum_term_months", "position"]
    world.count(QuoteOption, copy_rows(cursor, QuoteOption, columns, options))
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
    world.count(QuoteLine, copy_rows(cursor, QuoteLine, columns, lines))
