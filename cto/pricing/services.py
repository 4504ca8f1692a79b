"""Every write of pricing: quotes drafted from tiers and risk drivers,
sent, revised, and accepted by a client's signature."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cto.audits.selectors import weak_dimensions
from cto.core.rules import rule_holds
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record, engagement_transition, event_notify_later
from cto.engagements.stages import PIPELINE, Stage, allowed_targets
from cto.intake.selectors import intake_choices
from cto.pricing import calculator
from cto.pricing.models import PricingTier, Quote, QuoteLine, QuoteOption
from cto.pricing.playbooks import Driver, PricingPlaybook, pricing_playbook_read_shipped
from cto.users.models import Membership, User

LABELS = ("good", "better", "best")
DEFAULT_TERMS = (
    "Monthly fees are invoiced in advance and payable within 14 days; the week-one fee is "
    "invoiced on acceptance. After the minimum term, either side may end the engagement with "
    "30 days' notice. You keep every account, all code and every runbook we produce: no lock-in. "
    "Prices exclude VAT."
)


class QuoteError(ValidationError):
    """A refused quote action, with a message for the person acting."""


# --- Drafting ----------------------------------------------------------------------------------


def fired_drivers(engagement: Engagement, playbook: PricingPlaybook) -> list[Driver]:
    """The risk drivers this engagement's intake answers and latest audit set off."""
    intake = intake_choices(getattr(engagement, "intake_response", None))
    weak = weak_dimensions(engagement)
    return [driver for driver in playbook.drivers if rule_holds(driver.when, intake, weak)]


def _quote_record(
    quote: Quote, by: User | None, change: str, verb: str = ActivityEvent.Verb.QUOTE_CHANGED
) -> ActivityEvent:
    return activity_record(
        engagement=quote.engagement,
        actor=by,
        verb=verb,
        target=quote,
        data={"change": f"{quote.number}.{quote.revision} {change}", "quote": quote.pk},
    )


def quote_draft(
    *, engagement: Engagement, tier_keys: list[str], by: User, valid_days: int = 30
) -> Quote:
    """Draft a quote of one to three options (good, better, best), each from a tier plus the
    add-ons and multipliers the risk drivers propose, and recommend one with the reason."""
    if not 1 <= len(tier_keys) <= 3:
        raise QuoteError("A quote offers one to three options.")
    tiers = list(PricingTier.objects.filter(key__in=tier_keys, active=True).order_by("order"))
    if len(tiers) != len(set(tier_keys)):
        raise QuoteError("Choose active tiers, each once.")
    currencies = {tier.currency for tier in tiers}
    if len(currencies) != 1:
        raise QuoteError("The options of one quote must share a currency.")
    playbook = pricing_playbook_read_shipped()
    drivers = fired_drivers(engagement, playbook)
    labels = LABELS[: len(tiers)]
    wanted = calculator.recommend(len(drivers), playbook.recommendation)
    # With fewer options than the rule wants, the richest option offered is the recommendation.
    recommended = wanted if wanted in labels else labels[-1]
    reason = (
        f"{len(drivers)} risk driver{'s' if len(drivers) != 1 else ''} from the intake and the "
        f"audit: {', '.join(d.label.lower() for d in drivers)}."
        if drivers
        else "No risk driver fired in the intake or the audit."
    )
    with transaction.atomic():
        Engagement.objects.select_for_update().get(pk=engagement.pk)  # numbers quotes one at a time
        number = (engagement.quotes.aggregate(top=Max("number"))["top"] or 0) + 1
        quote = Quote.objects.create(
            engagement=engagement,
            number=number,
            currency=currencies.pop(),
            valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
            terms=DEFAULT_TERMS,
            recommended_label=recommended,
            recommendation_reason=reason,
            created_by=by,
        )
        for position, (label, tier) in enumerate(zip(labels, tiers, strict=True)):
            option = QuoteOption.objects.create(
                quote=quote,
                label=label,
                tier=tier,
                minimum_term_months=tier.minimum_term_months,
                position=position,
            )
            lines = [
                QuoteLine(
                    option=option,
                    label=f"{tier.name}: monthly retainer",
                    amount=tier.monthly_retainer,
                ),
                QuoteLine(
                    option=option,
                    label="Week one: readiness audit and first deliverable",
                    period=QuoteLine.Period.ONE_OFF,
                    amount=tier.week_one_fee,
                ),
            ]
            for driver in drivers:
                if driver.multiplier is not None:
                    lines.append(
                        QuoteLine(
                            option=option,
                            label=driver.label,
                            kind=QuoteLine.Kind.MULTIPLIER,
                            factor=driver.multiplier,
                            reason=driver.reason,
                            driver=driver.key,
                        )
                    )
                for period, amount in (("monthly", driver.monthly), ("one_off", driver.one_off)):
                    if amount is not None:
                        lines.append(
                            QuoteLine(
                                option=option,
                                label=driver.label,
                                period=period,
                                amount=amount,
                                reason=driver.reason,
                                driver=driver.key,
                            )
                        )
            for index, line in enumerate(lines):
                line.position = index
            QuoteLine.objects.bulk_create(lines)
        _quote_record(quote, by, f"drafted with {len(tiers)} option(s), recommending {recommended}")
    return quote


def _editable(quote: Quote) -> Quote:
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if locked.status != Quote.Status.DRAFT:
        raise QuoteError("Only a draft can be changed; revise a sent quote to change it.")
    return locked


@transaction.atomic
def quote_line_remove(*, line: QuoteLine, by: User) -> None:
    quote = _editable(line.option.quote)
    if line.position < 2 and not line.driver:
        raise QuoteError(
            "The retainer and the week-one fee are the option itself; remove the option instead."
        )
    line.delete()
    _quote_record(quote, by, f"line “{line.label}” removed")


@transaction.atomic
def quote_line_add(
    *,
    option: QuoteOption,
    label: str,
    kind: QuoteLine.Kind,
    period: QuoteLine.Period,
    value: Decimal,
    reason: str,
    by: User,
) -> QuoteLine:
    quote = _editable(option.quote)
    if not label.strip():
        raise QuoteError("A line needs a label.")
    if not value.is_finite():
        raise QuoteError("The amount must be a number, like 1500 or -250.")
    number = value
    line = QuoteLine(
        option=option,
        label=label.strip()[:160],
        kind=kind,
        period=period,
        reason=reason.strip()[:1000],
        amount=number if kind == QuoteLine.Kind.AMOUNT else None,
        factor=number if kind != QuoteLine.Kind.AMOUNT else None,
        position=option.lines.count(),
    )
    try:
        calculator.totals(
            [*(existing.as_line() for existing in option.lines.all()), line.as_line()],
            currency=quote.currency,
            minimum_term_months=option.minimum_term_months,
        )
    except calculator.PricingError as error:
        raise QuoteError(str(error)) from error
    try:
        line.full_clean()
    except ValidationError as error:  # a value past what the column holds, from any caller
        raise QuoteError(error.messages[0]) from error
    line.save()
    _quote_record(quote, by, f"line “{line.label}” added")
    return line


@transaction.atomic
def quote_send(*, quote: Quote, by: User) -> Quote:
    locked = _editable(quote)
    if locked.valid_until < timezone.localdate():
        raise QuoteError("The validity date has passed; set a new one before sending.")
    locked.status, locked.sent_at = Quote.Status.SENT, timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "sent_at", "version", "updated_at"])
    _quote_record(locked, by, "sent")
    return locked


@transaction.atomic
def quote_revise(*, quote: Quote, by: User, valid_days: int = 30) -> Quote:
    """Editing a sent quote: a new draft revision with the same options and lines; the sent
    one is kept as it was, marked superseded, and can no longer be accepted."""
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if locked.status != Quote.Status.SENT:
        raise QuoteError("Only a sent quote is revised; a draft is edited directly.")
    locked.status = Quote.Status.SUPERSEDED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    revision = Quote.objects.create(
        engagement=locked.engagement,
        number=locked.number,
        revision=locked.revision + 1,
        supersedes=locked,
        currency=locked.currency,
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
        terms=locked.terms,
        recommended_label=locked.recommended_label,
        recommendation_reason=locked.recommendation_reason,
        created_by=by,
    )
    for option in locked.options.prefetch_related("lines"):
        copy = QuoteOption.objects.create(
            quote=revision,
            label=option.label,
            tier=option.tier,
            minimum_term_months=option.minimum_term_months,
            position=option.position,
        )
        QuoteLine.objects.bulk_create(
            QuoteLine(
                option=copy,
                label=line.label,
                kind=line.kind,
                period=line.period,
                amount=line.amount,
                factor=line.factor,
                reason=line.reason,
                driver=line.driver,
                position=line.position,
            )
            for line in option.lines.all()
        )
    _quote_record(locked, by, f"superseded by revision {revision.revision}")
    return revision


# --- Acceptance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    option: QuoteOption | None
    full_name: str
    agreed_to_terms: bool
    ip: str | None
    user_agent: str


def quote_accept(*, quote: Quote, signature: Signature, by: User) -> Quote:
    """The client accepts one option by signing: terms agreed, an option chosen, a typed full
    name, with the time, address and browser recorded. Accepting makes the quote immutable and
    moves the engagement to active through the engagement service. Accepting twice is one
    acceptance; an expired or superseded quote cannot be accepted."""
    with transaction.atomic():
        locked = Quote.objects.select_for_update().select_related("engagement").get(pk=quote.pk)
        if locked.status == Quote.Status.ACCEPTED:
            return locked
        if locked.status == Quote.Status.SUPERSEDED:
            raise QuoteError("This quote was replaced by a newer revision; please accept that one.")
        if locked.status != Quote.Status.SENT:
            raise QuoteError("This quote is not open for acceptance.")
        if locked.valid_until < timezone.localdate():
            raise QuoteError("This quote has expired; ask us for a fresh one.")
        if not Membership.objects.filter(
            user=by, organization_id=locked.engagement.organization_id
        ).exists():
            raise QuoteError("Only a member of the client's organisation can accept its quote.")
        if not signature.agreed_to_terms:
            raise QuoteError("Please read and agree to the terms first.")
        option = signature.option
        if option is None or option.quote_id != locked.pk:
            raise QuoteError("Please choose one of the options.")
        name = " ".join(signature.full_name.split())
        if len(name) < 2 or len(name) > 200:
            raise QuoteError("Please type your full name to sign.")
        option.quote = locked  # the totals read the quote's currency
        locked.status, locked.accepted_option = Quote.Status.ACCEPTED, option
        locked.accepted_monthly = option.totals().monthly
        locked.accepted_at, locked.accepted_by = timezone.now(), by
        locked.signer_name, locked.signer_ip = name, signature.ip
        locked.signer_user_agent = signature.user_agent[:500]
        locked.version += 1
        locked.save()
        event = _quote_record(
            locked,
            by,
            f"accepted ({option.get_label_display()}, signed by {name})",
            verb=ActivityEvent.Verb.QUOTE_ACCEPTED,
        )
        event_notify_later(event)  # tells the lead operator and the practice
        _advance_to_active(locked.engagement, by)
    return locked


# The shortest way along the main line to "active": an audit is not needed once a quote is signed.
ROUTE_TO_ACTIVE = (Stage.QUALIFIED, Stage.PROPOSAL, Stage.ACTIVE)


def _advance_to_active(engagement: Engagement, by: User) -> None:
    """Move the engagement up to active, one allowed step at a time through the engagement
    service (so each step is on the timeline); later, lost or paused engagements stay put."""
    if Stage(engagement.stage) not in PIPELINE:
        return
    here = PIPELINE.index(Stage(engagement.stage))
    for stage in ROUTE_TO_ACTIVE:
        if PIPELINE.index(stage) > here and stage in allowed_targets(engagement.stage):
            engagement = engagement_transition(
                engagement=engagement, to=stage, by=by, note="Quote accepted"
            )


@transaction.atomic
def quote_decline(*, quote: Quote, by: User) -> Quote:
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if locked.status != Quote.Status.SENT:
        raise QuoteError("Only a sent quote can be declined.")
    locked.status = Quote.Status.DECLINED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    _quote_record(locked, by, "declined")
    return locked
