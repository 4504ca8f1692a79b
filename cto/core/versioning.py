"""Content authored as data (decision trees, audit templates, checklist templates) and kept
as numbered versions that never change once published. Each app subclasses ContentVersion with
a foreign key to its own parent and parses the definition with its own pure module."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.utils import timezone


def definition_checksum(definition: Any) -> str:
    """sha256 of the definition in a canonical JSON form: equal content, equal checksum."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_version_number(versions: models.QuerySet[Any]) -> int:
    return (versions.aggregate(top=Max("number"))["top"] or 0) + 1


class ContentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The authored mapping (from YAML), exactly as validated; parsed on use.
    definition = models.JSONField()
    checksum = models.CharField(max_length=64, help_text="sha256 of the definition")
    source_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    # The pure function that turns a definition into its dataclasses (set by each subclass).
    parse_definition: Callable[[Any], Any]

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def parsed(self) -> Any:
        """The definition parsed, once per process: a published version never changes, and a
        draft's checksum changes with its content."""
        key = (self._meta.label, self.pk, self.checksum)
        parsed = _PARSED.get(key)
        if parsed is None:
            if len(_PARSED) >= 128:
                _PARSED.clear()
            parsed = _PARSED[key] = type(self).parse_definition(self.definition)
        return parsed


_PARSED: dict[tuple[str, int, str], Any] = {}


def store_version(
    *,
    parent_model: type[models.Model],
    version_model: type[ContentVersion],
    parent_field: str,
    slug: str,
    title: str,
    definition: Any,
    source_name: str,
    by: Any,
) -> tuple[Any, bool]:
    """Store an already validated definition as the next draft version of the parent ``slug``
    (created if new). Identical content returns the existing version and False. Call inside a
    transaction: the parent row is locked so two loads cannot take the same number."""
    parent, _ = parent_model.objects.select_for_update().get_or_create(  # type: ignore[attr-defined]  # every parent has a manager
        slug=slug, defaults={"title": title}
    )
    versions = version_model.objects.filter(**{parent_field: parent})  # type: ignore[attr-defined]
    checksum = definition_checksum(definition)
    existing = versions.filter(checksum=checksum).first()
    if existing is not None:
        return existing, False
    version = version_model.objects.create(  # type: ignore[attr-defined]
        **{parent_field: parent},
        number=next_version_number(versions),
        definition=definition,
        checksum=checksum,
        source_name=source_name[:200],
        created_by=by,
    )
    return version, True


def publish_version(*, version: ContentVersion, by: Any) -> None:
    """Mark a (locked, re-validated) draft as published: from now on it never changes."""
    if definition_checksum(version.definition) != version.checksum:
        raise ValidationError("This draft's content does not match its checksum; load it again.")
    version.status = ContentVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.save(update_fields=["status", "published_at", "published_by"])
