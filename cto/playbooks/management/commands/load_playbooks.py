from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cto.playbooks.loading import playbooks_load


class Command(BaseCommand):
    help = (
        "Load the shipped content of cto/playbooks/ (decision trees, audit and checklist "
        "templates as new versions, pricing tiers that are missing); identical content is not "
        "loaded twice. Run at every release."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--publish", action="store_true", help="publish what is loaded")

    def handle(self, *args: Any, publish: bool, **options: Any) -> None:
        try:
            loaded = playbooks_load(publish=publish)
        except ValidationError as error:
            raise CommandError("Nothing was loaded:\n  " + "\n  ".join(error.messages)) from error
        tiers = loaded.pop("pricing tiers")
        for entries in loaded.values():
            for name, version, created in entries:
                self.stdout.write(f"{name}: {version} ({'loaded' if created else 'unchanged'})")
        added = sum(1 for entry in tiers if entry.created)
        self.stdout.write(f"pricing tiers: {added} added, {len(tiers) - added} already there")
