"""The URLs of /api/v1/: ninja's, each answering its errors as problem documents, and a last
pattern that answers any other path with a problem document instead of the site's HTML 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, register_converter, reverse
from django.urls.converters import PathConverter
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from cto.api.v1.api import api
from cto.api.v1.problems import not_found, outside_operations


@require_safe
def root(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself names no resource: it leads to the docs."""
    return HttpResponseRedirect(reverse("api:openapi-view"))


class AnyPathConverter(PathConverter):
    """Django's ``path`` with line breaks too: ``/api/v1/audits/%0A`` names no resource either,
    and must be answered as a problem document, not fall through to the site's HTML 404."""

    regex = r"[\s\S]+"


register_converter(AnyPathConverter, "anypath")


def _patterns() -> list[URLPattern]:
    patterns, _, _ = api.urls
    result = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)  # noqa: S101  # ninja makes no resolvers here
        if pattern.name == "api-root":
            # Ninja needs its root pattern to find where it is mounted; its view raises 404.
            pattern.callback = root
        elif pattern.name in {"openapi-json", "openapi-view"}:
            # Ninja's document and docs views answer any method: they are read-only.
            pattern.callback = outside_operations(require_safe(pattern.callback))
        else:
            pattern.callback = outside_operations(pattern.callback)
        result.append(pattern)
    # Exempt from the CSRF check, as ninja's own views are: a write to a path the API does not
    # have (a bearer request, no cookie) is answered 404 as a problem document, not the site's
    # HTML 403; the view changes nothing.
    return [*result, path("<anypath:rest>", csrf_exempt(not_found), name="not_found")]


app_name = "api"
urlpatterns = _patterns()
