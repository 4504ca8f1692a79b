"""The operator's report text: a small Markdown subset to sanitised HTML. A pure module.

Allowed: paragraphs, *emphasis* and **strong**, bullet and numbered lists, and links whose
address is http or https. Nothing else becomes markup: no raw HTML, no images, no headings
(each part of the text already sits under the report's own heading), no code blocks, quotes
or rules; their characters stay as the text the operator typed.

Two locks, each enough on its own: the parser is told to make only the allowed constructs, and
its output is cleaned by nh3 against the same allow-list, so a parser quirk cannot reach the
PDF. The result goes into a report's snapshot once; rendering marks it safe from there.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset({"p", "em", "strong", "ul", "ol", "li", "a", "br"})
SCHEMES = frozenset({"http", "https"})
HELP = (
    "Plain text, with a little Markdown: a blank line between paragraphs, *emphasis*, "
    "**strong**, lines starting with “- ” or “1. ” for lists, and [links](https://…) to "
    "web addresses. No HTML, images or headings."
)

# CommonMark with raw HTML off, then every block and inline rule we do not allow switched off:
# what they would have matched stays plain text.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    [
        "code",
        "fence",
        "blockquote",
        "hr",
        "heading",
        "lheading",
        "html_block",
        "image",
        "backticks",
        "html_inline",
    ]
)


def _is_web_address(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


# Only web addresses become links; any other target stays the text that was typed. (The
# parser's documented hook for this is replacing the method on the instance.)
_parser.validateLink = _is_web_address  # type: ignore[method-assign]  # markdown-it's hook


def _only_web_links(tag: str, attribute: str, value: str) -> str | None:
    # nh3's url_schemes lets relative addresses through; a PDF has nowhere for them to lead.
    if tag == "a" and attribute == "href":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        return value if scheme in SCHEMES else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    attributes={"*": set(), "a": {"href"}, "ol": {"start"}},  # "*": no lang or title anywhere
    attribute_filter=_only_web_links,
    url_schemes=set(SCHEMES),
    link_rel=None,
    strip_comments=True,
)


def to_html(text: str) -> str:
    """The sanitised HTML of ``text`` (empty for blank text)."""
    if not text.strip():
        return ""
    return _cleaner.clean(_parser.render(text)).strip()
