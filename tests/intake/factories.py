"""Trees for tests: the shipped one, published, and small hand-made ones."""

from __future__ import annotations

import copy
from typing import Any

from cto.intake.models import TreeVersion
from cto.intake.playbooks import PLAYBOOK_DIR, read_tree_file
from cto.intake.services import tree_version_create, tree_version_publish


def shipped_definition() -> dict[str, Any]:
    return read_tree_file((PLAYBOOK_DIR / "cto-fit.yaml").read_bytes())


def publish_shipped_tree() -> TreeVersion:
    version, _ = tree_version_create(definition=shipped_definition(), source_name="test", by=None)
    return tree_version_publish(version=version, by=None)


def small_tree(**overrides: Any) -> dict[str, Any]:
    """A three-question tree with two outcomes, to break on purpose in validator tests."""
    tree: dict[str, Any] = {
        "slug": "small",
        "title": "Small tree",
        "start": "q1",
        "nodes": [
            {
                "id": "q1",
                "type": "single",
                "prompt": "First?",
                "choices": [
                    {"id": "a", "label": "A", "next": "q2", "reason": "You picked A."},
                    {"id": "b", "label": "B", "next": "end_generic"},
                ],
            },
            {
                "id": "q2",
                "type": "multiple",
                "prompt": "Which?",
                "choices": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}],
                "routes": [{"when_any": ["x"], "next": "end_ai"}],
                "next": "q3",
            },
            {"id": "q3", "type": "text", "prompt": "Why?", "optional": True, "next": "end_generic"},
            {
                "id": "end_ai",
                "type": "outcome",
                "key": "ai",
                "engagement_kind": "ai",
                "title": "AI",
                "summary": "AI CTO.",
            },
            {
                "id": "end_generic",
                "type": "outcome",
                "key": "generic",
                "engagement_kind": "generic",
                "title": "Generic",
                "summary": "Generic CTO.",
            },
        ],
    }
    tree.update(overrides)
    return copy.deepcopy(tree)


def node(tree: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(item for item in tree["nodes"] if item["id"] == node_id)
