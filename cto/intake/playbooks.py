"""The shipped decision trees in cto/playbooks/intake/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cto.core.playbooks import PLAYBOOKS_DIR, load_shipped, read_yaml_mapping, shipped_files

PLAYBOOK_DIR = PLAYBOOKS_DIR / "intake"


def read_tree_file(content: bytes | str, *, name: str = "") -> Any:
    return read_yaml_mapping(content, name=name)


def shipped_tree_files() -> list[Path]:
    return shipped_files("intake")


def load_shipped_trees(*, publish: bool, by: Any = None) -> list[tuple[str, Any, bool]]:
    from cto.intake.services import tree_version_create, tree_version_publish  # they import us

    return load_shipped(
        "intake",
        create=tree_version_create,
        publish=tree_version_publish if publish else None,
        by=by,
    )
