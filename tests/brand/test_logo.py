"""cto/brand/logo.py: the logo sanitiser, without the database. Hostile SVGs are refused with a
message that says what to change; a good logo comes out drawable, and unchanged by a second pass."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from cto.brand.logo import MAX_BYTES, MAX_ELEMENTS, clean_logo_svg

SVG = 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"'

GOOD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 64 64" '
    'inkscape:version="1.3">'
    "<!-- made by hand -->"
    '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>'
    "<title>Acme &amp; Co</title>"
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#123456"/></linearGradient>'
    '<path id="mark" d="M0 0h10v10z"/></defs>'
    '<rect width="64" height="64" rx="8" fill="url(#g)" data-name="bg"/>'
    '<use xlink:href="#mark" style="fill:#ffffff;stroke:none;cursor:pointer"/>'
    '<text x="4" y="60" font-size="8">Acme <tspan font-weight="bold">Co</tspan></text>'
    "</svg>"
)


def test_a_good_logo_keeps_its_drawing_and_loses_the_editors_bookkeeping() -> None:
    clean = clean_logo_svg(GOOD)
    root = ET.fromstring(clean)
    tags = [node.tag.split("}")[1] for node in root.iter()]
    assert tags == [
        "svg", "title", "defs", "linearGradient", "stop", "path", "rect", "use", "text", "tspan",
    ]  # fmt: skip
    assert "inkscape" not in clean
    assert "metadata" not in clean
    assert "<!--" not in clean
    assert "data-name" not in clean
    assert "cursor" not in clean
    # The style attribute became presentation attributes: no inline CSS for the CSP to refuse.
    use = root.find("{http://www.w3.org/2000/svg}use")
    assert use is not None
    assert (use.get("fill"), use.get("stroke"), use.get("style")) == ("#ffffff", "none", None)
    assert "Acme &amp; Co" in clean
    assert ">Co</tspan>" in clean


def test_ids_and_their_references_are_prefixed_so_a_logo_never_takes_a_report_anchor() -> None:
    clean = clean_logo_svg(GOOD)
    assert 'id="logo-g"' in clean
    assert 'fill="url(#logo-g)"' in clean
    assert 'id="logo-mark"' in clean
    assert 'href="#logo-mark"' in clean
    assert 'id="g"' not in clean


def test_cleaning_a_clean_logo_changes_nothing() -> None:
    clean = clean_logo_svg(GOOD)
    assert clean_logo_svg(clean) == clean


def test_our_default_mark_passes_the_sanitiser() -> None:
    with open(settings.BASE_DIR / "static" / "img" / "brand-logo.svg") as handle:
        assert clean_logo_svg(handle.read()).startswith("<svg ")


def test_a_viewbox_is_derived_from_a_plain_width_and_height() -> None:
    clean = clean_logo_svg('<svg xmlns="http://www.w3.org/2000/svg" width="40px" height="20"/>')
    assert 'viewBox="0 0 40 20"' in clean


HOSTILE = {
    "script": (f"<svg {SVG}><script>alert(1)</script></svg>", "<script>"),
    "script in a group": (f"<svg {SVG}><g><g><script>x()</script></g></g></svg>", "<script>"),
    "foreignObject": (
        f'<svg {SVG}><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p>'
        "</foreignObject></svg>",
        "<foreignObject>",
    ),
    "image": (f'<svg {SVG}><image href="https://tracker.example/p.png"/></svg>', "<image>"),
    "style element": (f"<svg {SVG}><style>rect{{fill:red}}</style></svg>", "<style>"),
    "link": (
        f'<svg {SVG}><a href="https://phish.example"><rect/></a></svg>',
        "a logo is not a link",
    ),
    "animation": (f'<svg {SVG}><set attributeName="fill" to="red"/></svg>', "<set>"),
    "event handler": (f'<svg {SVG} onload="alert(1)"/>', "event handler (onload)"),
    "event handler on a shape": (f'<svg {SVG}><rect onclick="x()"/></svg>', "onclick"),
    "external use": (f'<svg {SVG}><use href="https://evil.example/a.svg#x"/></svg>', "links to"),
    "xlink external": (
        f'<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<use xlink:href="data:image/svg+xml;base64,PHN2Zz4="/></svg>',
        "links to",
    ),
    "javascript href": (f'<svg {SVG}><use href="javascript:alert(1)"/></svg>', "characters"),
    "url() to outside": (
        f'<svg {SVG}><rect fill="url(https://evil.example/#g)"/></svg>',
        "outside",
    ),
    "url() in a style": (
        f"<svg {SVG}><rect style=\"fill:url('http://evil.example/x')\"/></svg>",
        "outside",
    ),
    "url() in an unknown style": (
        f'<svg {SVG}><rect style="background-image:url(//evil.example/x.png)"/></svg>',
        "loads",
    ),
    "escaped CSS": (f'<svg {SVG}><rect style="fill:\\75 rl(http://x)"/></svg>', "characters"),
    "entities (billion laughs)": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<svg {SVG}><text>&b;</text></svg>",
        "DOCTYPE",
    ),
    "external entity": (
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<svg {SVG}><text>&x;</text></svg>",
        "DOCTYPE",
    ),
    "foreign vocabulary": (
        f'<svg {SVG}><h:script xmlns:h="http://www.w3.org/1999/xhtml">x()</h:script></svg>',
        "another vocabulary",
    ),
    "not svg": ('<html xmlns="http://www.w3.org/1999/xhtml"/>', "not an SVG"),
    "not xml": ("<svg viewBox='0 0 1 1'><rect></svg>", "not well-formed"),
    "no viewBox": ('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "no viewBox"),
    "too many elements": (
        f"<svg {SVG}>" + "<rect/>" * (MAX_ELEMENTS + 1) + "</svg>",
        "more than",
    ),
    "too deep": (f"<svg {SVG}>" + "<g>" * 40 + "</g>" * 40 + "</svg>", "nest"),
    "too large": (f"<svg {SVG}><desc>" + "x" * MAX_BYTES + "</desc></svg>", "at most 32 KB"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_logo_is_refused_with_what_to_change(name: str) -> None:
    source, expected = HOSTILE[name]
    with pytest.raises(ValidationError) as raised:
        clean_logo_svg(source)
    message = raised.value.messages[0]
    assert message.startswith("The logo was not accepted: ")
    assert expected in message
