"""Reading the shipped decision trees from cto/playbooks/intake/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

PLAYBOOK_DIR = Path(__file__).resolve().parent.parent / "playbooks" / "intake"


def read_tree_file(content: bytes | str, *, name: str = "") -> Any:
    """The mapping in a YAML (or JSON) tree file; ValidationError when it is not readable."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise ValidationError(f"{name or 'The file'} is not valid YAML{at}.") from error
    if not isinstance(data, dict):
        raise ValidationError(f"{name or 'The file'} must hold a mapping with “start” and “nodes”.")
    return data


def shipped_tree_files() -> list[Path]:
    return sorted(PLAYBOOK_DIR.glob("*.yaml"))
