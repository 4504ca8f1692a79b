"""`python -m bench.seed [--scale 0.1] ...`: seed the demo, then add a practice's worth of rows
with COPY (PostgreSQL only; every run adds as much again). DATABASE_URL names the database;
run it from the checkout's root."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed",
        description=(
            "Seed the demo, then add a practice's worth of rows with COPY for benchmarks: by "
            "default 10k organisations, 100k engagements, 1M checklist items, 100k audits, and "
            "the quotes and reports that go with them (PostgreSQL only; every run adds as much "
            "again)."
        ),
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every default size (0.1: a tenth)"
    )
    parser.add_argument("--organizations", type=int)
    parser.add_argument("--engagements", type=int)
    parser.add_argument("--checklist-items", type=int)
    parser.add_argument("--audits", type=int)
    parser.add_argument("--seed", type=int, default=1, help="same seed, same rows")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Seed with the command line's sizes and print the rows added (Django set up already)."""
    from bench.seed.scale import seed_scale, sizes_from
    from cto.demo.seed import seed_demo

    options = arguments(argv)
    sizes = sizes_from(
        options.scale,
        organizations=options.organizations,
        engagements=options.engagements,
        checklist_items=options.checklist_items,
        audits=options.audits,
    )
    seed_demo()
    report = seed_scale(sizes=sizes, seed=options.seed)
    for label, rows in report.rows.items():
        print(f"  {label:<26} {rows:>10,} rows")
    print(f"Seeded in {report.seconds:.1f} s.")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")
    import django

    django.setup()
    main()
