"""cto/audits/playbooks.py on PostgreSQL: the shipped audit template loads and publishes once."""

from __future__ import annotations

import pytest

from cto.audits.playbooks import audit_template_load_shipped

pytestmark = pytest.mark.django_db


def test_the_shipped_template_loads_and_publishes() -> None:
    [(name, version, created)] = audit_template_load_shipped(publish=True)
    assert (name, created, version.is_published) == ("ai-readiness.yaml", True, True)
    assert len(version.parsed().questions) >= 30
    assert audit_template_load_shipped(publish=True)[0][2] is False  # unchanged
