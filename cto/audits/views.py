"""Audit pages under /portal/: filling it in a dimension at a time (each answer saved as it is
given), the result with charts, and the operators' open and lock actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.audits import selectors, services
from cto.audits.definition import Dimension, Question
from cto.audits.forms import AnswerForm
from cto.audits.models import Audit, AuditAnswer
from cto.core.forms import first_error
from cto.engagements.selectors import engagement_get
from cto.users.http import AuthenticatedRequest


def _dimension(audit: Audit, dimension_id: str | None) -> Dimension:
    template = audit.template_version.parsed()
    if dimension_id:
        found = template.dimension(dimension_id)
        if found is None:
            raise Http404("No such dimension in this audit.")
        return found
    return template.dimensions[0]


def _question_context(
    audit: Audit,
    question: Question,
    answer: AuditAnswer | None,
    *,
    typed: dict[str, str] | None = None,
    error: str = "",
    saved: bool = False,
) -> dict[str, object]:
    """What one question's block shows: the stored answer, or what was typed when a save
    was refused (so nothing the person wrote is lost)."""
    if typed is not None:
        value, note, url = typed["value"], typed["note"], typed["evidence_url"]
    elif answer is not None:
        value = "na" if answer.not_applicable else str(answer.level)
        note, url = answer.note, answer.evidence_url
    else:
        value, note, url = "", "", ""
    return {
        "audit": audit,
        "question": question,
        "answer": answer,
        "value": value,
        "note": note,
        "evidence_url": url,
        "levels": list(enumerate(question.levels)),
        "error": error,
        "saved": saved,
        "can_edit": audit.is_open,
    }


def _detail_context(audit: Audit, dimension_id: str | None) -> dict[str, object]:
    template = audit.template_version.parsed()
    dimension = _dimension(audit, dimension_id)
    answers = selectors.answers_of(audit)
    answered = {d.id: sum(1 for q in d.questions if q.id in answers) for d in template.dimensions}
    return {
        "audit": audit,
        "template": template,
        "dimension": dimension,
        "dimension_counts": [(d, answered[d.id], len(d.questions)) for d in template.dimensions],
        "questions": [
            _question_context(audit, question, answers.get(question.id))
            for question in dimension.questions
        ],
        "answered": len(answers),
        "total": len(template.questions),
    }


@require_GET
@never_cache
@login_required
def audit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    return render(request, "audits/audit_detail.html", _detail_context(audit, request.GET.get("d")))


@require_POST
@login_required
def audit_answer(request: AuthenticatedRequest, pk: int, question: str) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    template = audit.template_version.parsed()
    found = template.questions.get(question)
    if found is None:
        raise Http404("No such question in this audit.")
    form = AnswerForm(request.POST)
    # What was typed, shown again when the save is refused (so nothing written is lost).
    typed = {
        name: str(form.data.get(name, "")).replace("\x00", "")
        for name in ("value", "note", "evidence_url")
    }
    status, error, answer, saved = 200, "", None, False
    if not form.is_valid():
        if not request.htmx:  # the page again, at the question's dimension, with the message
            messages.error(request, f"{found.text} {first_error(form)}")
            context = _detail_context(audit, found.dimension)
            return render(request, "audits/audit_detail.html", context, status=422)
        status, error = 422, first_error(form)
        answer = audit.answers.filter(question=question).first()
    else:
        try:
            answer = services.audit_answer_save(
                audit=audit,
                raw=services.AnswerInput(
                    question=question,
                    level=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    evidence_url=form.cleaned_data["evidence_url"],
                ),
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
            saved = True
        except services.StaleAnswerError as stale:
            status, error, answer = 409, stale.messages[0], stale.current
        except services.AuditError as refused:
            status, error = 422, refused.messages[0]
            answer = audit.answers.filter(question=question).first()
    if request.htmx:
        context = _question_context(
            audit, found, answer, typed=None if saved else typed, error=error, saved=saved
        )
        return render(request, "audits/audit_detail.html#question", context, status=status)
    if error:
        messages.error(request, f"{found.text} {error}")
    else:
        messages.success(request, "Saved.")
    target = f"{audit.get_absolute_url()}?d={found.dimension}#q-{found.id}"
    return HttpResponseRedirect(target, status=303)


@require_GET
@never_cache
@login_required
def audit_result(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    return render(
        request, "audits/audit_result.html", {"result": selectors.audit_result(audit=audit)}
    )


@require_POST
@staff_member_required
def audit_open(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    try:
        audit = services.audit_open(engagement=engagement, by=request.user)
    except services.AuditError as refused:
        messages.error(request, refused.messages[0])
        return HttpResponseRedirect(engagement.get_absolute_url(), status=303)
    messages.success(request, f"Audit {audit.number} is open. The client's members can fill it in.")
    return HttpResponseRedirect(audit.get_absolute_url(), status=303)


@require_POST
@staff_member_required
def audit_lock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    try:
        services.audit_lock(audit=audit, by=request.user)
    except services.AuditError as refused:
        messages.error(request, refused.messages[0])
        return HttpResponseRedirect(audit.get_absolute_url(), status=303)
    messages.success(request, "The audit is locked; its scores are final.")
    return HttpResponseRedirect(reverse("audits:result", args=[audit.pk]), status=303)
