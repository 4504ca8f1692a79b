"""Content authored as data (decision trees, audit templates, checklist templates) and kept
as numbered versions that never change once published. Each app subclasses ContentVersion with
a foreign key to its own parent and parses the definition with its own pure module; creating
and publishing a version is the same for all of them (``content_version_create`` and
``content_version_publish``, which each app's services call under their own names)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.utils import timezone

from cto.core.definitions import DefinitionError
from cto.core.models import TimeStampedModel


def definition_checksum(definition: Any) -> str:
    """sha256 of the definition in a canonical JSON form: equal content, equal checksum."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_version_number(versions: models.QuerySet[Any]) -> int:
    return (versions.aggregate(top=Max("number"))["top"] or 0) + 1


class ContentParent(TimeStampedModel):
    """What the versions are versions of (a decision tree, an audit or checklist template): a
    slug the files and code name it by, and a title."""

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


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

    # Set by each subclass: the name of its foreign key to the parent (the tree or template
    # this is a version of), and the pure function that turns a definition into its
    # dataclasses (raising a DefinitionError that lists every problem).
    parent_field: ClassVar[str]
    parse_definition: Callable[[Any], Any]

    def __str__(self) -> str:
        parent = getattr(self, self.parent_field)
        return f"{parent.slug} v{self.number} ({self.get_status_display()})"

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

Version = TypeVar("Version", bound=ContentVersion)


class ContentVersionQuerySet(models.QuerySet[Version]):
    def published(self) -> ContentVersionQuerySet[Version]:
        return self.filter(status=ContentVersion.Status.PUBLISHED)

    def current(self, slug: str) -> Version | None:
        """The newest published version of the tree or template ``slug``: what new responses,
        audits and checklists start from."""
        parent_field = self.model.parent_field
        return (
            self.published()
            .filter(**{f"{parent_field}__slug": slug})
            .select_related(parent_field)
            .order_by("-number")
            .first()
        )


def version_constraints(
    *, parent_field: str, prefix: str, published_has_time: bool = True
) -> list[models.BaseConstraint]:
    """The rules a version table keeps: a number and a content once per parent (so two loads
    never share a number, and identical content is one version), and a publication time once
    published. ``prefix`` names them as the migrations did."""
    constraints: list[models.BaseConstraint] = [
        models.UniqueConstraint(
            fields=[parent_field, "number"], name=f"{prefix}_version_number_unique"
        ),
        models.UniqueConstraint(
            fields=[parent_field, "checksum"], name=f"{prefix}_version_checksum_unique"
        ),
    ]
    if published_has_time:
        constraints.append(
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name=f"{prefix}_version_published_has_time",
            )
        )
    return constraints


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


def definition_validated(version_model: type[ContentVersion], definition: Any) -> Any:
    """The definition parsed by the version's own pure module, or every problem it has as one
    ValidationError (so that an author fixes the file in one pass)."""
    try:
        return version_model.parse_definition(definition)
    except DefinitionError as error:
        problems = [str(problem) for problem in error.problems]
        raise ValidationError(problems, code="invalid_definition") from error


def content_version_create(
    *, version_model: type[Version], definition: Any, source_name: str, by: Any
) -> tuple[Version, bool]:
    """Validate an authored definition and store it as the next draft version of its parent
    (created if new); identical content returns the existing version and False. Nothing is
    stored when it is invalid. Call inside a transaction (see ``store_version``)."""
    parsed = definition_validated(version_model, definition)
    parent_field = version_model.parent_field
    return store_version(
        parent_model=version_model._meta.get_field(parent_field).related_model,  # type: ignore[arg-type]  # a ForeignKey's model
        version_model=version_model,
        parent_field=parent_field,
        slug=parsed.slug,
        title=parsed.title,
        definition=definition,
        source_name=source_name,
        by=by,
    )


def content_version_publish(*, version: Version, by: Any) -> tuple[Version, bool]:
    """Publish a draft, validated once more: from then on it never changes. Returns the
    version, locked and fresh, and whether this call published it (False: it already was).
    Call inside a transaction."""
    locked = type(version)._default_manager.select_for_update().get(pk=version.pk)
    if locked.is_published:
        return locked, False
    definition_validated(type(locked), locked.definition)
    publish_version(version=locked, by=by)
    return locked, True
