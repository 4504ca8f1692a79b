"""The webhooks' reaction to the timeline: every event recorded writes its outbox rows in the
same transaction (events are only ever created, by activity_record, inside the transaction of
the change they record), so a change rolled back sends nothing and a change kept is sent."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from cto.engagements.models import ActivityEvent


@receiver(post_save, sender=ActivityEvent)
def write_outbox_on_event(
    sender: Any, instance: ActivityEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    from cto.webhooks.services import outbox_write

    if created and not raw:
        outbox_write(event=instance)
