"""Audit pages under /portal/: filling it in a dimension at a time (with htmx, each answer saved
as it is given; without JavaScript, by its Save button), the result with charts, and the
operators' open and lock actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator
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


def _detail_context(
    audit: Audit, dimension_id: str | None, *, refused: dict[str, object] | None = None
) -> dict[str, object]:
    """The page at one dimension. ``refused``: a question's block as a refused save left it
    (what was typed, and the message), shown in place of the stored answer."""
    template = audit.template_version.parsed()
    dimension = _dimension(audit, dimension_id)
    answers = selectors.answers_of(audit)
    progress = selectors.audit_progress(audit=audit, answered=answers.keys())
    position = template.dimensions.index(dimension)
    following = template.dimensions[position + 1 : position + 2]
    done = progress.by_dimension[dimension.id]
    return {
        "audit": audit,
        "template": template,
        "dimension": dimension,
        "dimension_counts": [
            (d, progress.by_dimension[d.id], len(d.questions)) for d in template.dimensions
        ],
        "questions": [
            refused
            if refused is not None and refused["question"] == question
            else _question_context(audit, question, answers.get(question.id))
            for question in dimension.questions
        ],
        "answered": progress.answered,
        "total": progress.total,
        "left": len(dimension.questions) - done,
        "next_dimension": following[0] if following else None,
    }


@require_GET
@never_cache
@login_required
def audit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    return render(request, "audits/audit_detail.html", _detail_context(audit, request.GET.get("d")))


def _saved_context(
    audit: Audit, question: Question, answer: AuditAnswer | None, *, error: str
) -> dict[str, object]:
    """What an htmx save answers: the question's state (version, message, status line) and,
    when it was saved, the counters it moved, counted again from the database."""
    context = _question_context(audit, question, answer, error=error, saved=not error)
    short = Truncator(question.text).words(8)
    if error:
        context["announce"] = f"Not saved: {short} {error}"
        return context
    progress = selectors.audit_progress(audit=audit)
    dimension = _dimension(audit, question.dimension)
    done = progress.by_dimension[dimension.id]
    context.update(
        answered=progress.answered,
        total=progress.total,
        item=dimension,
        done=done,
        count=len(dimension.questions),
        left=len(dimension.questions) - done,
        announce=f"Saved: {short} {progress.answered} of {progress.total} answered.",
    )
    return context


@require_POST
@login_required
def audit_answer(request: AuthenticatedRequest, pk: int, question: str) -> HttpResponse:
    """Save one answer. With htmx (the page saves as answers are given) the reply updates the
    question's state and the counters in place and leaves the fields alone, so nothing typed
    meanwhile is overwritten; without JavaScript, a 303 back to the question, or the page again
    with what was typed and the message when the save is refused."""
    audit = selectors.audit_get(user=request.user, pk=pk)
    template = audit.template_version.parsed()
    found = template.questions.get(question)
    if found is None:
        raise Http404("No such question in this audit.")
    form = AnswerForm(request.POST)
    status, error, answer = 200, "", None
    if not form.is_valid():
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
        except services.StaleAnswerError as stale:
            status, error, answer = 409, stale.messages[0], stale.current
        except services.AuditError as refused:
            status, error = 422, refused.messages[0]
            answer = audit.answers.filter(question=question).first()
    if request.htmx:
        context = _saved_context(audit, found, answer, error=error)
        return render(request, "audits/audit_detail.html#answer-saved", context, status=status)
    if not error:
        messages.success(request, "Saved.")
        target = f"{audit.get_absolute_url()}?d={found.dimension}#q-{found.id}"
        return HttpResponseRedirect(target, status=303)
    # The page again at the question's dimension, its block holding what was typed (nothing
    # the person wrote is lost) beside the message.
    messages.error(request, f"{found.text} {error}")
    typed = {
        name: str(form.data.get(name, "")).replace("\x00", "")
        for name in ("value", "note", "evidence_url")
    }
    block = _question_context(audit, found, answer, typed=typed, error=error)
    context = _detail_context(audit, found.dimension, refused=block)
    return render(request, "audits/audit_detail.html", context, status=status)


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
