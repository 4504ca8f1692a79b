"""The shipped audit templates in cto/playbooks/audits/."""

from __future__ import annotations

from typing import Any

from cto.audits.services import audit_template_version_create, audit_template_version_publish
from cto.core.playbooks import load_shipped
from cto.users.models import User


def load_shipped_audit_templates(*, publish: bool, by: User | None = None) -> list[Any]:
    return load_shipped(
        "audits",
        create=audit_template_version_create,
        publish=audit_template_version_publish if publish else None,
        by=by,
    )
