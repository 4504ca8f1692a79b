"""The shipped AI plan starter in cto/playbooks/aiplan/: the criteria, evals and failure modes
a new plan starts from. Read where a plan starts, never stored."""

from __future__ import annotations

from cto.aiplan import starter as starter_module
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping


def starter_read_shipped() -> starter_module.Starter:
    """The shipped starter, parsed."""
    path = PLAYBOOKS_DIR / "aiplan" / "starter.yaml"
    return starter_module.parse(read_yaml_mapping(path.read_bytes(), name=path.name))
