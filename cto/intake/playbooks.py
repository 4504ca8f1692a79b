"""The shipped decision trees in cto/playbooks/intake/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cto.intake.services import tree_version_create, tree_version_publish
from cto.playbooks.files import (
    PLAYBOOKS_DIR,
    Loaded,
    read_yaml_mapping,
    shipped_files,
    shipped_versions_load,
)
from cto.users.models import User

PLAYBOOK_DIR = PLAYBOOKS_DIR / "intake"


def read_tree_file(content: bytes | str, *, name: str = "") -> Any:
    return read_yaml_mapping(content, name=name)


def shipped_tree_files() -> list[Path]:
    return shipped_files("intake")


def tree_load_shipped(*, publish: bool, by: User | None = None) -> list[Loaded]:
    """Store each shipped decision tree as a version (publishing it if asked)."""
    return shipped_versions_load(
        "intake",
        create=tree_version_create,
        publish=tree_version_publish if publish else None,
        by=by,
    )
