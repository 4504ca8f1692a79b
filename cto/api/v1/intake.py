"""/api/v1/intake-responses: prospects' answers to the intake, for the practice's operators
only, as the admin shows them (the path taken, the outcome, the contact and whether they
proved their address). A client's token is refused with 403 whatever the id: the intake is
the practice's view of its leads, and no response belongs to a client's organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from cto.api.v1 import schemas
from cto.api.v1.acting import operators_only
from cto.api.v1.pagination import Page, PageQuery, paginate
from cto.api.v1.strict import known_query
from cto.intake.models import IntakeResponse

router = Router(tags=["intake responses"])

ERRORS = {
    401: schemas.Problem,
    403: schemas.Problem,
    404: schemas.Problem,
    422: schemas.Problem,
    429: schemas.Problem,
}
OPERATORS_ONLY = "Intake responses are for the practice's operators."


def _summary(response: IntakeResponse) -> dict[str, Any]:
    version = response.tree_version
    return {
        "id": response.pk,
        "status": response.status,
        "tree": f"{version.tree.slug} v{version.number}",
        "outcome": response.outcome,
        "contact_name": response.contact_name,
        "contact_email": response.contact_email,
        "company": response.company,
        "role": response.role,
        "contact_proven": response.contact_proven,
        "engagement": response.engagement_id,
        "started_at": response.started_at,
        "submitted_at": response.submitted_at,
    }


@router.get(
    "/intake-responses",
    response={200: Page[schemas.IntakeResponseSummary], **ERRORS},
    url_name="intake_response_list",
    summary="Intake responses (operators)",
)
def intake_response_list(
    request: HttpRequest, filters: Query[schemas.IntakeFilters], page: Query[PageQuery]
) -> dict[str, Any]:
    """Every response, the latest started first; ``status`` narrows to sent (``submitted``)
    or unfinished ones."""
    known_query(request, schemas.IntakeFilters, PageQuery)
    operators_only(request, OPERATORS_ONLY)
    responses = IntakeResponse.objects.with_version().order_by("-started_at", "-id")
    if filters.status:
        responses = responses.filter(status=filters.status)
    result = paginate(responses, page)
    result["items"] = [_summary(response) for response in result["items"]]
    return result


@router.get(
    "/intake-responses/{id:pk}",
    response={200: schemas.IntakeResponseDetail, **ERRORS},
    url_name="intake_response_detail",
    summary="One intake response with its path (operators)",
)
def intake_response_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The answers on the path the prospect took, in order, and where they lead."""
    known_query(request)
    operators_only(request, OPERATORS_ONLY)
    response = get_object_or_404(IntakeResponse.objects.with_version(), pk=pk)
    walk = response.walk()
    return {
        **_summary(response),
        "path": [
            {
                "question": step.question.id,
                "prompt": step.question.prompt,
                "answer": step.answer_text,
                "choices": [choice.id for choice in step.chosen],
            }
            for step in walk.steps
        ],
        "outcome_title": walk.outcome.title if walk.outcome else None,
        "stopped_at": walk.frontier.prompt if walk.frontier else None,
        "lookalikes": [
            {key: str(value) for key, value in found.items()} for found in response.lookalikes
        ],
    }
