"""Reading the shipped content (decision trees, audit and checklist templates, pricing tiers,
the AI plan starter) from the data files beside this module. Each app's ``playbooks`` module
reads or loads its own kind through these, with one naming: ``<thing>_load_shipped(*, publish,
by)`` stores the files as versions (or rows) and returns what it ``Loaded``;
``<thing>_read_shipped()`` parses a file that is read where it is used, never stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from django.core.exceptions import ValidationError

PLAYBOOKS_DIR = Path(__file__).resolve().parent


class Loaded(NamedTuple):
    """One shipped file (or entry of one) after loading: what it became, and whether it is new
    (identical content is not stored twice)."""

    name: str
    item: Any
    created: bool


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
    """The shipped files of one kind, the folder's name: ``intake``, ``audits``."""
    return sorted((PLAYBOOKS_DIR / kind).glob("*.yaml"))


def shipped_versions_load(
    kind: str,
    *,
    create: Callable[..., tuple[Any, bool]],
    publish: Callable[..., Any] | None,
    by: Any = None,
) -> list[Loaded]:
    """Load each shipped file of ``kind`` through its app's ``create`` service (which validates
    it and stores a new version, or finds the identical one), then ``publish`` it if given.
    Returns the file name, the version and whether it was new, for each file."""
    loaded = []
    for path in shipped_files(kind):
        version, created = create(
            definition=read_yaml_mapping(path.read_bytes(), name=path.name),
            source_name=path.name,
            by=by,
        )
        if publish is not None:
            version = publish(version=version, by=by)
        loaded.append(Loaded(path.name, version, created))
    return loaded
