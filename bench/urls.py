"""The app's URLs plus two ceilings, never part of the app's own URLs:

- the bare view: a trivial template through the same middleware, the most any page of this app
  could hope to reach on this machine (reported, no longer a target);
- the same-work view: what the intake step does, written as plainly as Django allows. It reads
  the prospect's response by the token in their cookie, and on a POST updates it only if it
  is still as read and inserts the visit, in one transaction, through the ORM; then it renders
  a 20-line template. The intake's throughput target is a share of this one.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template import Context, RequestContext, Template
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cto.intake import prospect
from cto.intake.models import IntakeResponse, IntakeVisit

CEILING = Template("<!doctype html><title>{{ title }}</title><p>Hello, {{ name }}.</p>")

SAME_WORK = Template(
    """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
</head>
<body>
  <main>
    <h1>{{ title }}</h1>
    <p>Response {{ response.pk }}, {{ response.answers|length }} answers.</p>
    <form method="post">
      {% csrf_token %}
      <input type="hidden" name="tree_version" value="{{ response.tree_version_id }}">
      <label><input type="radio" name="choice" value="core"> Core</label>
      <label><input type="radio" name="choice" value="none"> None</label>
      <button type="submit">Next</button>
    </form>
    <p>Status: {{ response.status }}</p>
  </main>
</body>
</html>"""
)


@require_GET
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CEILING.render(Context({"title": "Ceiling", "name": "bench"})))


@require_http_methods(["GET", "POST"])
def same_work(request: HttpRequest) -> HttpResponse:
    response = IntakeResponse.objects.filter(token=prospect.token_of(request)).first()
    if response is None:
        return HttpResponse(status=404)
    if request.method == "POST":
        now = timezone.now()
        with transaction.atomic():
            IntakeResponse.objects.filter(pk=response.pk, updated_at=response.updated_at).update(
                answers={**response.answers, "ai_role": {"choices": ["core"]}}, updated_at=now
            )
            IntakeVisit.objects.bulk_create(
                [IntakeVisit(response=response, node="ai_actions")], ignore_conflicts=True
            )
    context = RequestContext(request, {"title": "Same work", "response": response})
    return HttpResponse(SAME_WORK.render(context))


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("bench/same-work/", same_work, name="bench_same_work"),
    path("", include("cto.urls")),
]
