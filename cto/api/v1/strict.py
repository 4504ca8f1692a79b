"""Query parameters the operation does not know are refused, not ignored: a misspelt filter
(``?organisation=3`` for ``?organization=3``) would otherwise answer the whole list as if it
were the filtered one."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema

from cto.api.v1.problems import ApiProblem


def known_query(request: HttpRequest, *schemas: type[Schema]) -> None:
    """Raise a 422 naming each query parameter that none of ``schemas`` declares."""
    known = {name for schema in schemas for name in schema.model_fields}
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise ApiProblem(
            422,
            "The request has parameters this path does not take: see errors.",
            errors=[
                {"field": f"query.{name}", "detail": "Not a parameter of this path."}
                for name in unknown
            ],
        )
