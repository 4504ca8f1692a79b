"""`{% client_link url %}` in the PDF templates: an address a client typed, as a link when it
is an http(s) address on a public host (cto.reports.links), else as plain text."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cto.reports.links import public_link

register = template.Library()


@register.simple_tag
def client_link(url: str) -> SafeString:
    link = public_link(url)
    if link is None:
        return format_html("{}", url)
    return format_html('<a href="{}">{}</a>', link, url)
