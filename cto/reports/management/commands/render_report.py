"""Render one report of an engagement to a file, now, without recording a version.

    python manage.py render_report 12 --kind week_one --output week-one.pdf

Prints pages, bytes and milliseconds (and where the time went), for scripts and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cto.engagements.models import Engagement
from cto.reports.models import Report
from cto.reports.services import report_render_unsaved


class Command(BaseCommand):
    help = "Render a report of an engagement to a PDF file, synchronously, recording nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("engagement", type=int, help="The engagement's id")
        parser.add_argument("--kind", default=Report.Kind.WEEK_ONE, choices=Report.Kind.values)
        parser.add_argument("--output", type=Path, required=True, help="Where to write the PDF")

    def handle(self, *args: Any, **options: Any) -> None:
        engagement = Engagement.objects.filter(pk=options["engagement"]).first()
        if engagement is None:
            raise CommandError(f"There is no engagement {options['engagement']}.")
        try:
            timed = report_render_unsaved(engagement=engagement, kind=options["kind"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(timed.rendered.pdf)
        self.stdout.write(
            f"{output}: {timed.rendered.pages} pages, {len(timed.rendered.pdf)} bytes, "
            f"{timed.rendered.milliseconds} ms rendering "
            f"(+ {timed.gather_ms:.0f} ms gathering, {timed.template_ms:.0f} ms templating)"
        )
