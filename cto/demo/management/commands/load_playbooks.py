from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cto.audits.playbooks import load_shipped_audit_templates
from cto.checklists.services import checklist_template_load_shipped
from cto.intake.playbooks import load_shipped_trees
from cto.pricing.services import tiers_load_shipped


class Command(BaseCommand):
    help = (
        "Load the shipped content of cto/playbooks/ (decision trees, audit and checklist "
        "templates) as new "
        "versions; identical content is not loaded twice. Run at every release."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--publish", action="store_true", help="publish what is loaded")

    def handle(self, *args: Any, publish: bool, **options: Any) -> None:
        try:
            with transaction.atomic():
                loaded = [
                    *load_shipped_trees(publish=publish),
                    *load_shipped_audit_templates(publish=publish),
                    *checklist_template_load_shipped(publish=publish),
                ]
                tiers = tiers_load_shipped()
        except ValidationError as error:
            raise CommandError("Nothing was loaded:\n  " + "\n  ".join(error.messages)) from error
        for name, version, created in loaded:
            self.stdout.write(f"{name}: {version} ({'loaded' if created else 'unchanged'})")
        added = sum(1 for _, created in tiers if created)
        self.stdout.write(f"pricing tiers: {added} added, {len(tiers) - added} already there")
