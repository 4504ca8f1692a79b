from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cto.intake.playbooks import read_tree_file, shipped_tree_files
from cto.intake.services import tree_version_create, tree_version_publish


class Command(BaseCommand):
    help = (
        "Load decision-tree files as new versions (identical content is not loaded twice). "
        "Without paths, loads the shipped trees in cto/playbooks/intake/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish what is loaded")

    def handle(self, *args: Any, paths: list[Path], publish: bool, **options: Any) -> None:
        for path in paths or shipped_tree_files():
            try:
                data = read_tree_file(path.read_bytes(), name=path.name)
                version, created = tree_version_create(
                    definition=data, source_name=path.name, by=None
                )
                if publish:
                    version = tree_version_publish(version=version, by=None)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from error
            except ValidationError as error:
                problems = "\n  ".join(error.messages)
                raise CommandError(f"{path} was not loaded:\n  {problems}") from error
            state = "loaded" if created else "unchanged"
            self.stdout.write(f"{path.name}: {version} ({state})")
