"""The public intake at /intake/: one question a screen, htmx when there is JavaScript and plain
form posts when there is not. Views parse the request and pick the template; the services
decide."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from cto.core.forms import first_error
from cto.core.htmx import HtmxHttpRequest, announce
from cto.core.ratelimits import over_limit, too_many_requests
from cto.intake import claims, proof, prospect, screens, services
from cto.intake import tree as tree_module
from cto.intake.forms import AnswerForm, CallSlotForm, ContactForm, ProofForm, ResumeEmailForm
from cto.intake.models import IntakeResponse
from cto.intake.selectors import (
    intake_call_invitation,
    intake_call_policy,
    intake_next_step,
    intake_response_by_token,
)

TREE_SLUG = "cto-fit"
# The shape of IntakeResponse.token (secrets.token_urlsafe).
RESUME_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A field people never see: only bots fill it in. Named like something a bot would want to fill.
HONEYPOT = "website"


def _current_response(request: HtmxHttpRequest) -> IntakeResponse | None:
    return intake_response_by_token(prospect.token_of(request))


def _next_step_context(
    response: IntakeResponse | None, call_form: CallSlotForm | None = None
) -> dict[str, Any]:
    """What happens next, and the first call's form when this browser holds the sent answers."""
    next_step = intake_next_step(response=response, now=timezone.now())
    if call_form is None and next_step.slots:
        call_form = CallSlotForm(slots=next_step.slots)
    return {"next_step": next_step, "call_form": call_form}


def _url_for(node: str, tree: tree_module.Tree) -> str:
    if node in tree.outcomes:
        return reverse("intake:result")
    return reverse("intake:question", kwargs={"node": node})


def _screen(
    request: HtmxHttpRequest,
    response: IntakeResponse,
    node: str,
    *,
    error: str = "",
    status: int = 200,
    push: bool = False,
    contact_form: ContactForm | None = None,
) -> HttpResponse:
    """Render the screen for ``node``: a question, or the result when it is an outcome.
    An htmx request gets the screen alone (and the address bar moves with it)."""
    tree = response.tree_version.parsed()
    walk = tree_module.walk(tree, response.answers)
    if node in tree.outcomes:
        result = screens.result_screen(tree, walk)
        template = "intake/intake_result.html"
        sent = response.status == IntakeResponse.Status.SUBMITTED
        context: dict[str, Any] = {
            "outcome": result.outcome,
            "reasons": result.reasons,
            "unweighed": result.unweighed,
            "scope_rows": result.scope_rows,
            "red_flags": result.red_flags,
            "change_url": "" if sent else _url_for(result.change, tree),
            "honeypot": HONEYPOT,
            "contact_form": contact_form or ContactForm(),
            "sent": sent,
            "reply_days": intake_call_policy().reply_days,
        }
        if sent:  # answers already sent: what happens next, in place of the contact form
            context.update(_next_step_context(response))
    else:
        question = screens.question_screen(tree, walk, node, response.answers)
        template = "intake/intake_question.html"
        context = {
            "question": question.question,
            "answer": question.answer,
            "progress_done": question.done,
            "progress_total": question.total,
            "back_url": _url_for(question.back, tree) if question.back else "",
        }
    context.update(response=response, error=error)
    if not request.htmx:
        return render(request, template, context, status=status)
    page = render(request, f"{template}#screen", context, status=status)
    if push:
        push_url(page, _url_for(node, tree))
    # The screen is replaced under the button just pressed: say where the prospect is now (a
    # refusal is read out by its role="alert").
    if error:
        return page
    if node in tree.outcomes:
        return announce(page, f"Your result: {context['outcome'].title}.")
    done, total = context["progress_done"], context["progress_total"]
    return announce(page, f"Question {done + 1} of at most {total}: {context['question'].prompt}")


def _frontier(response: IntakeResponse) -> str:
    return response.walk().end.id


def _on_path_or_frontier(response: IntakeResponse, node: str) -> str:
    return screens.question_or_frontier(response.tree_version.parsed(), response.walk(), node)


def _redirect_to_start(request: HtmxHttpRequest, message: str) -> HttpResponse:
    messages.info(request, message)
    target = reverse("intake:home")
    if request.htmx:
        # A full page load: the screen fragment has nothing to swap into on the start page.
        page = HttpResponse(status=204)
        page["HX-Redirect"] = target
        return page
    return HttpResponseRedirect(target)


@require_GET
@never_cache
def intake_home(request: HtmxHttpRequest) -> HttpResponse:
    response = _current_response(request)
    if response is not None and response.status != IntakeResponse.Status.IN_PROGRESS:
        response = None
    context = {
        "response": response,
        "continue_url": _url_for(_frontier(response), response.tree_version.parsed())
        if response
        else "",
        "honeypot": HONEYPOT,
    }
    return render(request, "intake/intake_home.html", context)


@require_POST
def intake_start(request: HtmxHttpRequest) -> HttpResponse:
    if request.POST.get(HONEYPOT):
        return redirect("intake:home")  # a bot: nothing written, nothing said
    if over_limit(request, group="intake.start", rate=settings.INTAKE_START_RATE):
        return too_many_requests(request)
    try:
        response = services.intake_start(tree_slug=TREE_SLUG)
    except services.IntakeError as error:
        return render(
            request, "intake/intake_problem.html", {"error": error.messages[0]}, status=503
        )
    tree = response.tree_version.parsed()
    return prospect.remember(redirect(_url_for(tree.start, tree)), response.token)


@require_http_methods(["GET", "POST"])
@never_cache
def intake_question(request: HtmxHttpRequest, node: str) -> HttpResponse:
    response = _current_response(request)
    if response is None:
        return _redirect_to_start(request, "Your answers were not found here. Please start again.")
    if response.status != IntakeResponse.Status.IN_PROGRESS and request.method == "GET":
        return redirect("intake:thanks")
    if request.method == "GET":
        shown = _on_path_or_frontier(response, node)
        if shown != node:
            return redirect(_url_for(shown, response.tree_version.parsed()))
        return _screen(request, response, node)

    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _screen(
            request,
            response,
            _on_path_or_frontier(response, node),
            error=first_error(form),
            status=422,
        )
    try:
        result = services.intake_answer(
            response=response,
            node=node,
            raw=form.raw_answer(),
            tree_version_id=form.cleaned_data["tree_version"],
        )
    except services.IntakeClosedError as error:
        return render(
            request,
            "intake/intake_problem.html#screen" if request.htmx else "intake/intake_problem.html",
            {"error": error.messages[0], "closed": True},
            status=error.status,
        )
    except services.IntakeError as error:
        # Show the question again with the reason; a node that is not on the path shows the
        # prospect where they really are.
        shown = node if error.code == "bad_answer" else _frontier(response)
        return _screen(
            request,
            response,
            shown,
            error=error.messages[0],
            status=error.status,
            push=shown != node,
        )
    tree = result.response.tree_version.parsed()
    if request.htmx:
        page = _screen(request, result.response, result.next_node, push=True)
    else:
        page = HttpResponseRedirect(_url_for(result.next_node, tree), status=303)
    return prospect.remember(page, response.token)  # an idle timeout, as a session's


@require_http_methods(["GET", "POST"])
@never_cache
def intake_result(request: HtmxHttpRequest) -> HttpResponse:
    response = _current_response(request)
    if response is None:
        return _redirect_to_start(request, "Your answers were not found here. Please start again.")
    walk = response.walk()
    if response.status == IntakeResponse.Status.SUBMITTED:
        # Sent: the result stays readable (from a used resume link too), and cannot be resent.
        if request.method == "GET" and walk.outcome is not None:
            return _screen(request, response, walk.outcome.id)
        return redirect("intake:thanks")
    if walk.outcome is None:
        return redirect(_url_for(_frontier(response), response.tree_version.parsed()))
    if request.method == "GET":
        return _screen(request, response, walk.outcome.id)

    if request.POST.get(HONEYPOT):
        return redirect("intake:thanks")  # a bot: nothing written, and it cannot tell
    if over_limit(request, group="intake.submit", rate=settings.INTAKE_SUBMIT_RATE):
        return too_many_requests(request)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _screen(
            request,
            response,
            walk.outcome.id,
            status=422,
            contact_form=form,
            error="Please check the details below.",
        )
    try:
        services.intake_submit(response=response, contact=form.contact())
    except services.IntakeError as error:
        return _screen(
            request,
            response,
            walk.outcome.id,
            status=error.status,
            contact_form=form,
            error=error.messages[0],
        )
    return HttpResponseRedirect(reverse("intake:thanks"), status=303)


@require_GET
@never_cache
def intake_thanks(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request, "intake/intake_thanks.html", _next_step_context(_current_response(request))
    )


@require_POST
def intake_call(request: HtmxHttpRequest) -> HttpResponse:
    """The first call's time, chosen on the thanks or result page by the prospect holding the
    sent answers (anybody else: 404): noted on the lead's timeline, the operators told, and
    answered with the calendar invitation (.ics) to keep."""
    response = _current_response(request)
    if response is None or response.status != IntakeResponse.Status.SUBMITTED:
        raise Http404("There is no request here.")
    if over_limit(request, group="intake.call", rate=settings.INTAKE_CALL_RATE):
        return too_many_requests(request)
    context = _next_step_context(response)
    form = CallSlotForm(request.POST, slots=context["next_step"].slots)
    if not form.is_valid():
        context.update(call_form=form, call_error=first_error(form))
        return render(request, "intake/intake_thanks.html", context, status=422)
    try:
        event = services.intake_call_request(response=response, slot=form.chosen())
    except services.IntakeError as error:
        context.update(call_form=form, call_error=error.messages[0])
        return render(request, "intake/intake_thanks.html", context, status=error.status)
    page = HttpResponse(
        intake_call_invitation(response=response, slot=form.chosen(), stamp=event.created_at),
        content_type="text/calendar; charset=utf-8",
    )
    page["Content-Disposition"] = 'attachment; filename="first-call.ics"'
    return page


@require_GET
@never_cache
def intake_resume(request: HtmxHttpRequest, token: str) -> HttpResponse:
    # Tokens are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses in a
    # query) is a mistyped or forged link, answered without asking the database.
    response = intake_response_by_token(token) if RESUME_TOKEN.fullmatch(token) else None
    if response is None:
        return render(
            request,
            "intake/intake_problem.html",
            {"error": "This link is not valid. It may have been mistyped; you can start again."},
            status=404,
        )
    if response.status != IntakeResponse.Status.IN_PROGRESS:
        # Sent since the link was emailed: the result they were given, and what happens next.
        return prospect.remember(redirect("intake:result"), response.token)
    page = redirect(_url_for(_frontier(response), response.tree_version.parsed()))
    return prospect.remember(page, response.token)


@require_POST
def intake_email_link(request: HtmxHttpRequest) -> HttpResponse:
    response = _current_response(request)
    if response is None:
        return _redirect_to_start(request, "Your answers were not found here. Please start again.")
    form = ResumeEmailForm(request.POST)
    valid = form.is_valid()
    tree = response.tree_version.parsed()
    back = form.cleaned_data.get("next_node", "")
    back_url = _url_for(back if back in tree.questions else _frontier(response), tree)
    if over_limit(request, group="intake.email", rate=settings.INTAKE_EMAIL_RATE):
        return too_many_requests(request)
    if not valid:
        messages.error(request, first_error(form))
        return HttpResponseRedirect(back_url, status=303)
    try:
        services.intake_remember_email(response=response, email=form.cleaned_data["email"])
    except services.IntakeError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "We have emailed you a link to continue later.")
    return HttpResponseRedirect(back_url, status=303)


@require_http_methods(["GET", "POST"])
@never_cache
def intake_confirm(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link in the result email. GET only shows the two buttons (mail scanners open
    links); POST confirms the address, which links the lead, or dismisses the lead. It does
    not sign anyone in: a forwarded email must not open a client's portal."""
    response_id = proof.response_id_of(token)
    response = (
        IntakeResponse.objects.filter(pk=response_id, status=IntakeResponse.Status.SUBMITTED)
        .select_related("contact_proven_by")
        .first()
        if response_id is not None
        else None
    )
    if response is None:
        return render(
            request,
            "intake/intake_problem.html",
            {"error": "This link is not valid or has expired. You can ignore the email."},
            status=404,
        )
    context: dict[str, Any] = {"response": response, "error": ""}
    if request.method == "GET":
        return render(request, "intake/intake_confirm.html", context)
    form = ProofForm(request.POST)
    if not form.is_valid():
        context["error"] = first_error(form)
        return render(request, "intake/intake_confirm.html", context, status=422)
    try:
        if form.cleaned_data["action"] == ProofForm.DISMISS:
            claims.intake_lead_dismiss(response=response)
            return render(request, "intake/intake_confirm.html", {**context, "dismissed": True})
        engagement = claims.intake_lead_confirm(response=response)
    except services.IntakeError as error:
        context["error"] = error.messages[0]
        return render(request, "intake/intake_confirm.html", context, status=error.status)
    if request.user.is_authenticated and request.user.pk == engagement.contact_id:
        messages.success(request, "Thank you: your address is confirmed and your request linked.")
        return HttpResponseRedirect(reverse("engagements:portal_home"), status=303)
    messages.success(
        request,
        f"Thank you: {response.contact_email} is confirmed. Sign in with a code sent to it to "
        "see your request.",
    )
    return HttpResponseRedirect(reverse("account_request_login_code"), status=303)
