"""`{% changefragment "name" key ... %}…{% endchangefragment %}`: a part of a page cached until
the next change to the domain's tables (`cto.core.changes`), shared by everyone whose keys match.

The view reads `changes` (``cto.core.changes.mark()``) into the context before anything the
fragment shows, and passes the rest as lazy objects that only a miss evaluates: a hit costs one
cache read instead of the fragment's queries and template. The keys name whatever else the
fragment depends on that was read before the mark or does not live in the tables: the day, the
user and their role. Without a mark (inside a transaction, or not on PostgreSQL) the fragment
is rendered as if the tag were not there.

A cached fragment holds a placeholder where its forms' CSRF tokens go, and each response gets
the visitor's own token in its place: one operator's token never reaches another, and the
token stays masked afresh for every response. A fragment holding the response's CSP nonce (an
inline script) is never stored.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from cto.core.changes import Mark
from cto.core.pagecache import code_version, csrf_placeholder, varying

register = template.Library()


def cache_key(name: str, mark: Mark, keys: list[Any]) -> str:
    return f"fragment:{name}:{code_version()}:{mark.counter}:{varying(keys)}"


def _holds_the_nonce(context: template.Context, html: str) -> bool:
    """A CSP nonce is the response's own: a fragment with an inline script or style in it
    cannot be served to anyone else (keep those outside the fragment)."""
    nonce = getattr(context.get("request"), "csp_nonce", None)
    return bool(nonce) and str(nonce) in html


class ChangeFragmentNode(template.Node):
    def __init__(
        self, nodelist: template.NodeList, name: template.base.FilterExpression, keys: list[Any]
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context: template.Context) -> SafeString:
        mark = context.get("changes")
        if not isinstance(mark, Mark):
            return mark_safe(self.nodelist.render(context))  # noqa: S308  # rendered by the engine
        key = cache_key(
            str(self.name.resolve(context)), mark, [k.resolve(context) for k in self.keys]
        )
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=csrf_placeholder()):
                html = str(self.nodelist.render(context))
            if mark.settled and not _holds_the_nonce(context, html):
                cache.set(key, html, settings.FRAGMENT_CACHE_SECONDS)
        if csrf_placeholder() in html:
            html = html.replace(csrf_placeholder(), str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308  # the engine's own output, escaped when rendered


@register.tag("changefragment")
def do_changefragment(
    parser: template.base.Parser, token: template.base.Token
) -> ChangeFragmentNode:
    """{% changefragment "name" key1 key2 %} … {% endchangefragment %}"""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a name and then any keys.")
    nodelist = parser.parse(("endchangefragment",))
    parser.delete_first_token()
    return ChangeFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
