"""Pages rendered once and served from the cache, for pages that are a function of a few keys
(the intake's question screens: the same for everyone at the same point of the same tree).

The caller names everything the page shows in its keys; nothing is ever invalidated, because a
change to any of them is a different key. So the cache (the "pages" alias) is each process's
own memory: nothing to share, and no round trip. What differs between two responses of the
same page is filled in per response from placeholders: the visitor's CSRF token (masked afresh
each time, as Django does) and the response's CSP nonce. Both placeholders are secret, so no
text a visitor writes into a page can be taken for one. A page carrying one-off messages is
rendered as usual.

The pieces are shared with `{% changefragment %}` (cto/core/templatetags/fragments.py), which
caches parts of pages until the data changes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac


@functools.cache
def csrf_placeholder() -> str:
    return "csrf-" + salted_hmac("cto.core.fragments", "csrf placeholder").hexdigest()[:32]


@functools.cache
def nonce_placeholder() -> str:
    return "nonce-" + salted_hmac("cto.core.pagecache", "nonce placeholder").hexdigest()[:32]


@functools.cache
def code_version() -> str:
    """A digest of the templates, the code and the static files' names: a deploy that changes
    how a page looks (or what it reads) starts afresh instead of serving what the old code
    cached."""
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    for folder, pattern in (("cto", "*.py"), ("templates", "*.html")):
        for path in sorted((base / folder).rglob(pattern)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    # With hashed static files, a changed stylesheet (or a newer htmx) has a new name.
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    return digest.hexdigest()


def varying(keys: Iterable[Any]) -> str:
    """The keys, with the time zone and language every page is rendered in, as one digest."""
    text = "\x1f".join(
        [timezone.get_current_timezone_name(), translation.get_language() or "", *map(str, keys)]
    )
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def cached_page(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    keys: Iterable[Any],
    status: int = 200,
) -> HttpResponse:
    """``render(request, template_name, context)``, from the cache when a page with the same
    template, keys and visitor (signed in or not, and who) was rendered before."""
    if len(messages.get_messages(request)):  # shown once, to this visitor only
        return HttpResponse(render_to_string(template_name, context, request), status=status)
    user = request.user
    who = (user.pk, user.is_staff) if user.is_authenticated else ()
    key = f"page:{code_version()}:{template_name}:{varying([*keys, *who])}"
    pages = caches["pages"]
    html = pages.get(key)
    if html is None:
        placeholders = {"csrf_token": csrf_placeholder(), "csp_nonce": nonce_placeholder()}
        html = render_to_string(template_name, {**context, **placeholders}, request)
        pages.set(key, html)
    if csrf_placeholder() in html:
        html = html.replace(csrf_placeholder(), get_token(request))
    if nonce_placeholder() in html:
        html = html.replace(nonce_placeholder(), str(request.csp_nonce))  # type: ignore[attr-defined]  # django-csp
    return HttpResponse(html, status=status)
