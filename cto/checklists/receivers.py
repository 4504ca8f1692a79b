"""The week-one checklist is applied when an engagement becomes active."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

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
