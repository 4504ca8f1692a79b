"""The shipped audit templates in cto/playbooks/audits/."""

from __future__ import annotations

from cto.audits.models import AuditTemplateVersion
from cto.audits.services import audit_template_version_create, audit_template_version_publish
from cto.core.playbooks import read_yaml_mapping, shipped_files
from cto.users.models import User


def load_shipped_audit_templates(
    *, publish: bool, by: User | None = None
) -> list[tuple[str, AuditTemplateVersion, bool]]:
    loaded = []
    for path in shipped_files("audits"):
        version, created = audit_template_version_create(
            definition=read_yaml_mapping(path.read_bytes(), name=path.name),
            source_name=path.name,
            by=by,
        )
        if publish:
            version = audit_template_version_publish(version=version, by=by)
        loaded.append((path.name, version, created))
    return loaded
