"""The API's one way of paging a list: ``limit`` and ``offset``, newest first, with the total
``count``. Offsets suit lists of this size (an organisation's engagements, an engagement's
events) and let a client jump to any page; every list takes the same two parameters."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from cto.core.converters import ID_MAX

Item = TypeVar("Item")


class PageQuery(Schema):
    limit: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_MAX_PAGE_SIZE,
        description=f"How many items (at most {settings.API_MAX_PAGE_SIZE}).",
    )
    offset: int = Field(0, ge=0, le=ID_MAX, description="How many items to skip.")


class Page(Schema, Generic[Item]):
    count: int = Field(description="How many items the whole list holds.")
    limit: int
    offset: int
    items: list[Item]


def paginate(queryset: QuerySet[Any], page: PageQuery) -> dict[str, Any]:
    """Two queries: the count, and the page."""
    count = queryset.count()
    items = list(queryset[page.offset : page.offset + page.limit]) if page.offset < count else []
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}
