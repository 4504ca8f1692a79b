from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cto.demo.scale import seed_scale, sizes_from
from cto.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Seed the demo, then add a practice's worth of rows with COPY for benchmarks: by "
        "default 10k organisations, 100k engagements, 1M checklist items, 100k audits, and the "
        "quotes and reports that go with them (PostgreSQL only; every run adds as much again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every default size (0.1: a tenth)"
        )
        parser.add_argument("--organizations", type=int)
        parser.add_argument("--engagements", type=int)
        parser.add_argument("--checklist-items", type=int)
        parser.add_argument("--audits", type=int)
        parser.add_argument("--seed", type=int, default=1, help="same seed, same rows")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = sizes_from(
            options["scale"],
            organizations=options["organizations"],
            engagements=options["engagements"],
            checklist_items=options["checklist_items"],
            audits=options["audits"],
        )
        seed_demo()
        report = seed_scale(sizes=sizes, seed=options["seed"])
        for label, rows in report.rows.items():
            self.stdout.write(f"  {label:<26} {rows:>10,} rows")
        self.stdout.write(self.style.SUCCESS(f"Seeded in {report.seconds:.1f} s."))
