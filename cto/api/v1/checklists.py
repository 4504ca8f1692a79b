"""/api/v1/ checklists: an engagement's checklist as its page shows it, an item's status, and
evidence (a link, a note or a file), each write through the page's form and service
(cto.checklists.services), with the page's upload checks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import Field

from cto.api.v1 import schemas
from cto.api.v1.acting import acting, user_of
from cto.api.v1.inputs import form_checked, refused
from cto.api.v1.problems import ApiProblem
from cto.api.v1.strict import known_query
from cto.checklists import forms, selectors, services
from cto.checklists.models import ChecklistItem, Evidence
from cto.core.uploads import dropped_uploads, too_large_message

router = Router(tags=["checklists"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
WRITE_ERRORS = {**ERRORS, 400: schemas.Problem, 403: schemas.Problem}


def _name(user: Any) -> str | None:
    return str(user) if user else None


def evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "kind": evidence.kind,
        "url": evidence.url,
        "note": evidence.note,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "added_by": _name(evidence.added_by),
        "added_at": evidence.added_at,
    }


def item_out(item: ChecklistItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "key": item.key,
        "section": item.section,
        "title": item.title,
        "done_when": item.done_when,
        "owner_side": item.owner_side,
        "owner": _name(item.owner),
        "due_day": item.due_day,
        "due_date": item.due_date(),
        "overdue": item.is_overdue,
        "status": item.status,
        "status_reason": item.status_reason,
        "effective_date": item.effective_date,
        "done_by": _name(item.done_by),
        "done_at": item.done_at,
        "version": item.version,
        "evidence": [evidence_out(evidence) for evidence in item.evidence.all()],
    }


@router.get(
    "/engagements/{id:pk}/checklist",
    response={200: schemas.Checklist, **ERRORS},
    url_name="checklist_detail",
    summary="An engagement's checklist",
)
def checklist_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Every live item, in the page's order, with its evidence; 404 when the engagement has
    no checklist (or is not yours)."""
    known_query(request)
    user = user_of(request)
    checklist = selectors.checklist_get(user=user, engagement_pk=pk)
    view = selectors.checklist_view(checklist=checklist, user=user)
    progress = view.progress
    return {
        "engagement": checklist.engagement_id,
        "template": str(checklist.template_version),
        "progress": {
            "finished": progress.finished,
            "total": progress.total,
            "percent": progress.percent,
        },
        "items": [item_out(item) for section in view.sections for item in section.items],
    }


@router.patch(
    "/checklist-items/{id:pk}",
    response={200: schemas.ChecklistItem, **WRITE_ERRORS, 409: schemas.ItemStale},
    url_name="checklist_item_update",
    summary="Change an item's status",
)
def checklist_item_update(request: HttpRequest, pk: int, body: schemas.ItemPatch) -> dict[str, Any]:
    """Set the status as the checklist page does: done needs evidence first and the date it
    became true; blocked and not applicable need a reason; a client changes only the client's
    items. A write on an older ``version`` is 409 with the item as it stands."""
    known_query(request)
    item = selectors.item_get(user=user_of(request), pk=pk)
    form = form_checked(
        forms.ItemStatusForm(
            {
                "status": body.status,
                "reason": body.reason,
                "effective_date": body.effective_date.isoformat() if body.effective_date else "",
                "version": str(body.version),
            }
        )
    )
    try:
        with acting(request) as by:
            services.item_set_status(item=item, **form.arguments(), by=by)  # type: ignore[attr-defined]  # a ServiceForm
    except services.StaleItemError as stale:
        current = selectors.item_get(user=user_of(request), pk=pk)
        body_now = schemas.ChecklistItem.model_validate(item_out(current)).model_dump(mode="json")
        raise ApiProblem(409, stale.messages[0], current=body_now) from stale
    except services.ChecklistError as error:
        raise refused(error) from error
    return item_out(selectors.item_get(user=user_of(request), pk=pk))


class EvidenceIn(Schema):
    url: str = Field("", description="A link (https://...), at most 500 characters.")
    note: str = Field("", description="A note, at most 4000 characters.")


@router.post(
    "/checklist-items/{id:pk}/evidence",
    response={201: schemas.Evidence, **WRITE_ERRORS},
    url_name="checklist_item_evidence",
    summary="Add evidence to an item",
)
def checklist_item_evidence(
    request: HttpRequest,
    pk: int,
    fields: Form[EvidenceIn],
    file: File[UploadedFile | None] = None,
) -> Status[dict[str, Any]]:
    """One piece of evidence, as a form (``multipart/form-data`` for a file): a ``file``, or
    else a ``url``, or else a ``note``. A file gets the page's checks: its type from its
    content, its size (EVIDENCE_MAX_BYTES), archives unpacked within limits."""
    known_query(request)
    item = selectors.item_get(user=user_of(request), pk=pk)
    form = form_checked(forms.EvidenceForm(request.POST, request.FILES))
    try:
        if "file" in dropped_uploads(request):  # dropped as it arrived; nothing else is kept
            raise services.ChecklistError(too_large_message())
        with acting(request) as by:
            evidence = services.evidence_add(item=item, **form.arguments(), by=by)  # type: ignore[attr-defined]  # a ServiceForm
    except services.ChecklistError as error:
        raise refused(error) from error
    return Status(201, evidence_out(evidence))
