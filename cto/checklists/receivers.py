"""The checklists' reactions to other apps: the week-one checklist is applied when an
engagement becomes active, and an item waiting for an app event (an audit submitted, a quote
accepted, the week-one report ready) is settled when that event reaches the timeline."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from cto.engagements.models import ActivityEvent
from cto.engagements.signals import stage_changed
from cto.engagements.stages import Stage

logger = logging.getLogger(__name__)


@receiver(stage_changed)
def apply_checklist_on_active(
    sender: Any, engagement: Any, after: Stage, by: Any, **kwargs: Any
) -> None:
    from cto.checklists.models import Checklist
    from cto.checklists.services import ChecklistError, checklist_apply

    if after != Stage.ACTIVE or Checklist.objects.filter(engagement=engagement).exists():
        return
    try:
        checklist_apply(engagement=engagement, by=by)
    except ChecklistError:
        # No template published yet: the engagement still becomes active; an operator can
        # apply the checklist once the content is loaded.
        logger.warning("No checklist template to apply to engagement %s", engagement.pk)


@receiver(post_save, sender=ActivityEvent)
def settle_items_on_event(
    sender: Any, instance: ActivityEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Every timeline event passes here (events are only ever created, by activity_record,
    inside the transaction of the change they record): those that settle nothing cost no
    query, and the settling happens in the same transaction as the event."""
    from cto.checklists.settling import VERBS, items_settle_by_event

    if created and not raw and instance.verb in VERBS.values():
        items_settle_by_event(event=instance)
