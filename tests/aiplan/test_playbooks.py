"""cto/aiplan/playbooks.py: the shipped starter reads and parses."""

from __future__ import annotations

import pytest

from cto.aiplan.playbooks import starter_read_shipped

pytestmark = pytest.mark.django_db


def test_the_shipped_starter_parses() -> None:
    loaded = starter_read_shipped()
    assert len(loaded.criteria) == 9
    assert {c.key for c in loaded.criteria} >= {"latency", "cost_per_task", "tool_calling"}
