"""Content versions: the definition parsed once per content, never served stale."""

from __future__ import annotations

import pytest

from cto.core.versioning import definition_checksum
from cto.intake.services import tree_version_create
from tests.intake.factories import node, small_tree

pytestmark = pytest.mark.django_db


def test_a_version_is_parsed_once_for_the_same_content() -> None:
    version, _ = tree_version_create(definition=small_tree(), by=None)
    assert version.parsed() is version.parsed()


def test_an_edited_draft_is_parsed_afresh() -> None:
    version, _ = tree_version_create(definition=small_tree(), by=None)
    first = version.parsed()
    edited = small_tree()
    node(edited, "q1")["prompt"] = "First, edited?"
    version.definition = edited
    version.checksum = definition_checksum(edited)
    assert version.parsed() is not first
    assert version.parsed().questions["q1"].prompt == "First, edited?"
