"""/api/v1/engagements: the engagements the token's owner may see, exactly as the portal
scopes them (cto.engagements.selectors), with their tracker and timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from cto.api.v1 import schemas
from cto.api.v1.pagination import Page, PageQuery, paginate
from cto.api.v1.strict import known_query
from cto.engagements import selectors
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.users.models import User

router = Router(tags=["engagements"])

ERRORS = {401: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
ERRORS_BY_ID = {**ERRORS, 404: schemas.Problem}


def _user(request: HttpRequest) -> User:
    return request.auth.user  # type: ignore[attr-defined]  # set by TokenAuth


def _engagement(request: HttpRequest, engagement: Engagement) -> dict[str, Any]:
    return {
        "id": engagement.pk,
        "title": engagement.title,
        "kind": engagement.kind,
        "stage": engagement.stage,
        "stage_label": Stage(engagement.stage).label,
        "organization": {"id": engagement.organization_id, "name": engagement.organization.name},
        "start_date": engagement.start_date,
        "stage_changed_at": engagement.stage_changed_at,
        "created_at": engagement.created_at,
        "updated_at": engagement.updated_at,
        "version": engagement.version,
        "url": request.build_absolute_uri(engagement.get_absolute_url()),
    }


def _event(event: ActivityEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "verb": event.verb,
        "summary": event.summary,
        "actor": str(event.actor) if event.actor else None,
        "created_at": event.created_at,
    }


@router.get(
    "/engagements",
    response={200: Page[schemas.Engagement], **ERRORS},
    url_name="engagement_list",
    summary="List engagements",
)
def engagement_list(
    request: HttpRequest,
    filters: Query[schemas.EngagementFilters],
    page: Query[PageQuery],
) -> dict[str, Any]:
    """The engagements you may see, most recently changed first: a client's organisations'
    engagements, every engagement for an operator."""
    known_query(request, schemas.EngagementFilters, PageQuery)
    engagements = selectors.engagement_list(user=_user(request)).order_by("-updated_at", "-id")
    if filters.stage:
        engagements = engagements.filter(stage=filters.stage)
    if filters.organization:
        engagements = engagements.filter(organization_id=filters.organization)
    if filters.updated_since:
        engagements = engagements.filter(updated_at__gte=filters.updated_since)
    result = paginate(engagements, page)
    result["items"] = [_engagement(request, engagement) for engagement in result["items"]]
    return result


@router.get(
    "/engagements/{id:pk}",
    response={200: schemas.EngagementDetail, **ERRORS_BY_ID},
    url_name="engagement_detail",
    summary="One engagement, with its tracker and next step",
)
def engagement_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The engagement as its page shows it: the stage tracker, the next step and whose move it
    is. 404 for an engagement you may not see."""
    known_query(request)
    user = _user(request)
    engagement = selectors.engagement_for_page(user=user, pk=pk)
    audits = selectors.engagement_audits(engagement=engagement)
    quotes = list(engagement.quotes.shown_to(user).order_by("-number", "-revision"))
    shown = selectors.engagement_progress(engagement=engagement, audits=audits, quotes=quotes)
    step = shown.progress.next_step
    url = shown.next_step_url
    if url and url.startswith("#"):  # a section of the engagement's own page
        url = engagement.get_absolute_url() + url
    return {
        **_engagement(request, engagement),
        "tracker": [
            {"stage": s.stage, "status": s.status, "reason": s.reason} for s in shown.progress.steps
        ],
        "next_step": {
            "text": step.text,
            "waiting_on": step.waiting_on.value if step.waiting_on else None,
            "url": request.build_absolute_uri(url) if url else None,
        },
        "notice": shown.progress.notice,
        "counts": {"audits": len(audits), "quotes": len(quotes)},
        "plan": plan.pk if (plan := engagement.ai_plan_or_none) else None,
    }


@router.get(
    "/engagements/{id:pk}/timeline",
    response={200: Page[schemas.Event], **ERRORS_BY_ID},
    url_name="engagement_timeline",
    summary="An engagement's timeline",
)
def engagement_timeline(request: HttpRequest, pk: int, page: Query[PageQuery]) -> dict[str, Any]:
    """The engagement's events, newest first: exactly those its page shows you (a client does
    not see the events of draft quotes, draft reports or the practice's report text)."""
    known_query(request, PageQuery)
    user = _user(request)
    engagement = selectors.engagement_get(user=user, pk=pk)
    events = selectors.timeline_events(user=user, engagement=engagement)
    result = paginate(events.select_related("actor").order_by("-created_at", "-id"), page)
    result["items"] = [_event(event) for event in result["items"]]
    return result
