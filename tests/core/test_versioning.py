"""Published content versions, read once per process (`ContentVersion.published_by_pk`)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cto.intake.models import TreeVersion
from cto.intake.services import tree_version_create
from tests.intake.factories import publish_shipped_tree, shipped_definition

pytestmark = pytest.mark.django_db


def test_a_published_version_is_read_once_and_each_caller_gets_a_copy(
    django_assert_num_queries,
) -> None:
    version = publish_shipped_tree()
    first = TreeVersion.published_by_pk(version.pk)
    assert first is not None
    assert (first.pk, first.checksum) == (version.pk, version.checksum)
    first.number = 999  # a careless caller
    with django_assert_num_queries(0):
        again = TreeVersion.published_by_pk(version.pk)
    assert again is not None
    assert again is not first
    assert again.number == version.number


def test_a_draft_or_a_missing_version_is_not_served(django_assert_num_queries) -> None:
    draft, _ = tree_version_create(definition=shipped_definition(), source_name="t", by=None)
    assert TreeVersion.published_by_pk(draft.pk) is None
    assert TreeVersion.published_by_pk(draft.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_a_flush_forgets_what_the_process_read() -> None:
    version = publish_shipped_tree()
    assert TreeVersion.published_by_pk(version.pk) is not None
    call_command("flush", interactive=False, verbosity=0)  # keys may start from 1 again
    assert TreeVersion.published_by_pk(version.pk) is None
