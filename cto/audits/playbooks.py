"""The shipped audit templates in cto/playbooks/audits/."""

from __future__ import annotations

from cto.audits.services import audit_template_version_create, audit_template_version_publish
from cto.playbooks.files import Loaded, shipped_versions_load
from cto.users.models import User


def audit_template_load_shipped(*, publish: bool, by: User | None = None) -> list[Loaded]:
    """Store each shipped audit template as a version (publishing it if asked)."""
    return shipped_versions_load(
        "audits",
        create=audit_template_version_create,
        publish=audit_template_version_publish if publish else None,
        by=by,
    )
