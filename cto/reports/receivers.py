"""A prospect's one-page intake summary is queued the moment their intake becomes a lead."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from cto.intake.signals import intake_submitted

logger = logging.getLogger(__name__)


@receiver(intake_submitted)
def request_intake_summary(sender: Any, response: Any, engagement: Any, **kwargs: Any) -> None:
    from cto.reports.models import Report
    from cto.reports.services import report_request

    try:
        report_request(
            engagement=engagement,
            kind=Report.Kind.INTAKE_SUMMARY,
            by=None,
            release=Report.Release.AUTOMATIC,
        )
    except ValidationError as error:
        # The lead matters more than its summary: it is still created, and an operator can
        # generate the summary later from the engagement page.
        logger.warning("No intake summary for engagement %s: %s", engagement.pk, error)
