"""The shipped checklist templates in cto/playbooks/checklists/."""

from __future__ import annotations

from cto.checklists.services import (
    checklist_template_version_create,
    checklist_template_version_publish,
)
from cto.playbooks.files import Loaded, shipped_versions_load
from cto.users.models import User


def checklist_template_load_shipped(*, publish: bool, by: User | None = None) -> list[Loaded]:
    """Store each shipped checklist template as a version (publishing it if asked)."""
    return shipped_versions_load(
        "checklists",
        create=checklist_template_version_create,
        publish=checklist_template_version_publish if publish else None,
        by=by,
    )
