"""Reading the shipped content (decision trees, audit templates, ...) from cto/playbooks/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

PLAYBOOKS_DIR = Path(__file__).resolve().parent.parent / "playbooks"


def read_yaml_mapping(content: bytes | str, *, name: str = "") -> dict[str, Any]:
    """The mapping in a YAML (or JSON) file; ValidationError when it is not readable."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise ValidationError(f"{name or 'The file'} is not valid YAML{at}.") from error
    if not isinstance(data, dict):
        raise ValidationError(f"{name or 'The file'} must hold a mapping, not a list or a text.")
    return data


def shipped_files(kind: str) -> list[Path]:
    """The shipped files of one kind: ``intake``, ``audits``."""
    return sorted((PLAYBOOKS_DIR / kind).glob("*.yaml"))


def load_shipped(
    kind: str,
    *,
    create: Callable[..., tuple[Any, bool]],
    publish: Callable[..., Any] | None,
    by: Any = None,
) -> list[tuple[str, Any, bool]]:
    """Load each shipped file of ``kind`` through its app's ``create`` service (which validates
    it and stores a new version, or finds the identical one), then ``publish`` it if given.
    Returns (file name, version, whether it was new) for each file."""
    loaded = []
    for path in shipped_files(kind):
        version, created = create(
            definition=read_yaml_mapping(path.read_bytes(), name=path.name),
            source_name=path.name,
            by=by,
        )
        if publish is not None:
            version = publish(version=version, by=by)
        loaded.append((path.name, version, created))
    return loaded
