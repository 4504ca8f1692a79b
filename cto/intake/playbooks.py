"""The shipped decision trees in cto/playbooks/intake/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cto.core.playbooks import PLAYBOOKS_DIR, read_yaml_mapping, shipped_files

PLAYBOOK_DIR = PLAYBOOKS_DIR / "intake"


def read_tree_file(content: bytes | str, *, name: str = "") -> Any:
    return read_yaml_mapping(content, name=name)


def shipped_tree_files() -> list[Path]:
    return shipped_files("intake")


def load_shipped_trees(*, publish: bool, by: Any = None) -> list[tuple[str, Any, bool]]:
    from cto.intake.services import tree_version_create, tree_version_publish

    loaded = []
    for path in shipped_tree_files():
        version, created = tree_version_create(
            definition=read_tree_file(path.read_bytes(), name=path.name),
            source_name=path.name,
            by=by,
        )
        if publish:
            version = tree_version_publish(version=version, by=by)
        loaded.append((path.name, version, created))
    return loaded
