"""Week-one reports of the engagements that had a week one (no PDF is written)."""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Iterable
from typing import Any

from bench.seed.world import World, copy_rows, reserve_ids
from cto.reports.models import Report

# The week-one report is rendered once the week is done; now and then a second version failed
# (a render that timed out), which the dashboard lists until a later version replaces it.
REPORT_FAILED_SHARE = 0.02
REPORT_GENERATOR = "cto-reports/1 weasyprint/seeded"


def reports_write(world: World, cursor: Any) -> None:
    """The week-one report (version 1, ready, final) of every engagement that had a week one,
    and now and then a failed version 2. No PDF is written: the rows name where it would be,
    and the pages measured list reports without opening them."""
    week = datetime.timedelta(days=5)
    done = world.today - week
    rendered = [e for e in world.engagements_written if e.start_date and e.start_date <= done]
    failed = [e for e in rendered if world.rng.random() < REPORT_FAILED_SHARE]
    if not rendered:
        return
    first_id = reserve_ids(cursor, Report, len(rendered) + len(failed))
    kind = Report.Kind.WEEK_ONE.value
    # What the render read, reduced to a mark: nothing renders a seeded report again.
    snapshot = json.dumps({"generator": REPORT_GENERATOR, "seeded": True})

    def rows() -> Iterable[tuple[Any, ...]]:
        pk = first_id
        for e in rendered:
            day = (e.start_date or world.today) + week
            evening = datetime.datetime.combine(day, datetime.time(17), datetime.UTC)
            made = min(evening, world.now)
            yield (
                pk, e.pk, kind, 1, Report.Status.READY.value, snapshot, "", REPORT_GENERATOR,
                f"reports/{e.pk}/report-{pk}.pdf", secrets.token_hex(32), 12,
                world.rng.randint(150_000, 400_000), world.rng.randint(900, 2500), 1, "",
                made, e.lead_id, made, made, Report.Release.FINAL.value,
            )  # fmt: skip
            pk += 1
        for e in failed:
            when = world.ago(0, 20)
            yield (
                pk, e.pk, kind, 2, Report.Status.FAILED.value, snapshot, "", REPORT_GENERATOR,
                "", "", None, None, None, 3,
                "The render took longer than REPORT_RENDER_SECONDS and was stopped.",
                None, e.lead_id, when, when, Report.Release.FINAL.value,
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
        "release",  # each was sent to its client: final
    ]
    world.count(Report, copy_rows(cursor, Report, columns, rows()))
