"""/api/v1/ audits: an engagement's audits, one audit's answers, scores and flags as its result
page computes them (cto.audits.selectors.audit_result), and answering a question as through the
portal (cto.audits.services.audit_answer_save, with the page's form)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router

from cto.api.v1 import schemas
from cto.api.v1.acting import acting, user_of
from cto.api.v1.inputs import form_checked, refused
from cto.api.v1.pagination import Page, PageQuery, paginate
from cto.api.v1.problems import ApiProblem
from cto.api.v1.strict import known_query
from cto.audits import selectors, services
from cto.audits.forms import AnswerForm
from cto.audits.models import Audit, AuditAnswer
from cto.engagements.selectors import engagement_get

router = Router(tags=["audits"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
WRITE_ERRORS = {**ERRORS, 400: schemas.Problem, 403: schemas.Problem, 409: schemas.AnswerStale}


def _summary(request: HttpRequest, audit: Audit, *, answered: int) -> dict[str, Any]:
    version = audit.template_version
    return {
        "id": audit.pk,
        "engagement": audit.engagement_id,
        "number": audit.number,
        "status": audit.status,
        "template": f"{version.template.slug} v{version.number}",
        "answered": answered,
        "total": len(version.parsed().questions),
        "created_at": audit.created_at,
        "locked_at": audit.locked_at,
        "url": request.build_absolute_uri(audit.get_absolute_url()),
    }


def answer_out(answer: AuditAnswer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "value": answer.value,
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "answered_by": str(answer.answered_by) if answer.answered_by else None,
        "updated_at": answer.updated_at,
        "version": answer.version,
    }


def _tally(tally: Any) -> dict[str, Any]:
    return {
        "key": tally.key,
        "label": tally.label,
        "score": tally.score,
        "answered": tally.answered,
        "not_applicable": tally.not_applicable,
        "skipped": tally.skipped,
    }


@router.get(
    "/engagements/{id:pk}/audits",
    response={200: Page[schemas.AuditSummary], **ERRORS},
    url_name="audit_list",
    summary="An engagement's audits",
)
def audit_list(request: HttpRequest, pk: int, page: Query[PageQuery]) -> dict[str, Any]:
    """The engagement's audits, the latest first, with how far each is answered."""
    known_query(request, PageQuery)
    engagement = engagement_get(user=user_of(request), pk=pk)
    audits = (
        Audit.objects.filter(engagement=engagement)
        .with_template()
        .annotate(answered=Count("answers"))
        .order_by("-number")
    )
    result = paginate(audits, page)
    result["items"] = [_summary(request, a, answered=a.answered) for a in result["items"]]
    return result


@router.get(
    "/audits/{id:pk}",
    response={200: schemas.AuditDetail, **ERRORS},
    url_name="audit_detail",
    summary="One audit: answers, scores, red flags",
)
def audit_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Every question with its answer, and the scores, red flags, recommendations and the
    comparison with the previous locked audit, as the result page computes them."""
    known_query(request)
    audit = selectors.audit_get(user=user_of(request), pk=pk)
    answers = selectors.answers_of(audit)
    result = selectors.audit_result(audit=audit, answers=answers)
    score = result.score
    return {
        **_summary(request, audit, answered=len(answers)),
        "overall": score.overall,
        "band": (
            {"key": score.band.key, "label": score.band.label, "summary": score.band.summary}
            if score.band
            else None
        ),
        "dimensions": [
            {
                "id": d.dimension.id,
                "title": d.dimension.title,
                "weight": d.dimension.weight,
                "score": d.score,
                "questions": [
                    {
                        "id": q.id,
                        "text": q.text,
                        "levels": list(q.levels),
                        "answer": answer_out(answers[q.id]) if q.id in answers else None,
                    }
                    for q in d.dimension.questions
                ],
            }
            for d in score.dimensions
        ],
        "nist": [_tally(t) for t in score.nist],
        "cisco": [_tally(t) for t in score.cisco],
        "flags": [
            {
                "id": f.rule.id,
                "title": f.rule.title,
                "why": f.rule.why,
                "first_step": f.rule.first_step,
                "because": list(f.because),
            }
            for f in result.flags
        ],
        "recommendations": [
            {"dimension": r.dimension.id, "score": r.score, "priority": r.priority}
            for r in result.recommendations
        ],
        "previous": result.previous.number if result.previous else None,
        "deltas": [
            {"key": d.key, "label": d.label, "before": d.before, "after": d.after}
            for d in result.deltas
        ],
    }


@router.put(
    "/audits/{id:pk}/answers/{question}",
    response={200: schemas.Answer, **WRITE_ERRORS},
    url_name="audit_answer",
    summary="Answer one question",
)
def audit_answer(
    request: HttpRequest, pk: int, question: str, body: schemas.AnswerIn
) -> dict[str, Any]:
    """Save the answer to one question of an open audit, as the audit page does. Send the
    ``version`` of the answer you read (none for a question not answered yet): if someone
    answered since, nothing is written and the answer is 409 with the stored answer as
    ``current``. A locked audit, or a value the page would refuse, is 422."""
    known_query(request)
    audit = selectors.audit_get(user=user_of(request), pk=pk)
    if question not in audit.template_version.parsed().questions:
        raise ApiProblem(404, "No such question in this audit.")
    form = form_checked(
        AnswerForm(
            {
                "value": str(body.value),
                "note": body.note,
                "evidence_url": body.evidence_url,
                "version": "" if body.version is None else str(body.version),
            }
        )
    )
    try:
        with acting(request) as by:
            answer = services.audit_answer_save(
                audit=audit,
                raw=services.AnswerInput(
                    question=question,
                    level=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    evidence_url=form.cleaned_data["evidence_url"],
                ),
                expected_version=form.cleaned_data["version"],
                by=by,
            )
    except services.StaleAnswerError as stale:
        current = schemas.Answer.model_validate(answer_out(stale.current)).model_dump(mode="json")
        raise ApiProblem(409, stale.messages[0], current=current) from stale
    except services.AuditError as error:
        if error.code == "stale":  # a version given for a question nobody has answered
            raise ApiProblem(409, error.messages[0], current=None) from error
        raise refused(error) from error
    return answer_out(answer)
