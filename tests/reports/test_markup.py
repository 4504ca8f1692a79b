"""cto/reports/markup.py: the operator's Markdown subset, sanitised. A pure module: no database."""

from __future__ import annotations

import pytest

from cto.reports.markup import to_html


def test_the_allowed_subset_becomes_markup() -> None:
    html = to_html(
        "We found *two* gaps, **one** blocking.\n\n- first\n- second\n\n3. three\n4. four"
    )
    assert html == (
        "<p>We found <em>two</em> gaps, <strong>one</strong> blocking.</p>\n"
        "<ul>\n<li>first</li>\n<li>second</li>\n</ul>\n"
        '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'
    )


def test_web_links_stay_links() -> None:
    assert to_html("[the runbook](https://docs.example/run?x=1)") == (
        '<p><a href="https://docs.example/run?x=1">the runbook</a></p>'
    )
    assert to_html("<http://status.example>") == (
        '<p><a href="http://status.example">http://status.example</a></p>'
    )


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "mailto:ceo@example.com",
        "/admin/",
        "static:css/report.css",
    ],
)
def test_a_link_to_anything_but_a_web_address_is_text(target: str) -> None:
    html = to_html(f"[click]({target})")
    assert "<a" not in html
    assert "href" not in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(http://evil.example/x)">styled</p>',
        "<style>@import url(http://evil.example/x.css)</style>",
        "<!-- a comment -->",
    ],
)
def test_raw_html_is_printed_as_text_never_as_markup(text: str) -> None:
    html = to_html(text)
    assert "<" not in html.removeprefix("<p>").removesuffix("</p>")
    assert "&lt;" in html


def test_images_headings_quotes_and_code_are_not_markup() -> None:
    html = to_html(
        "![chart](https://evil.example/x.png)\n\n# Heading\n\n> quoted\n\n    code\n\n`tick`"
    )
    for tag in ("<img", "<h1", "<blockquote", "<pre", "<code"):
        assert tag not in html, tag
    assert "# Heading" in html  # the characters the operator typed stay
    assert "`tick`" in html


def test_blank_text_is_no_html() -> None:
    assert to_html("") == ""
    assert to_html("  \n\n ") == ""


def test_the_sanitiser_cleans_what_a_parser_quirk_would_let_through() -> None:
    """The second lock on its own: nh3 with our allow-list, given markup the parser never
    makes."""
    from cto.reports import markup

    cleaned = markup._cleaner.clean(
        '<p onclick="x()">a <a href="javascript:x()">b</a> <a href="/rel">c</a>'
        '<img src="https://x.example/i.png"><script>bad()</script>'
        '<a href="https://ok.example" title="t" target="_blank">d</a></p>'
    )
    assert cleaned == '<p>a <a>b</a> <a>c</a><a href="https://ok.example">d</a></p>'
