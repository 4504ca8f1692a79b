"""The practice's logo: an SVG someone uploaded, made safe to put inline in pages and reports.

The SVG is hostile input until this module has rewritten it. It is parsed with defusedxml (no
DTD, no entities, no external references), and written out again from an allow-list: shapes,
groups, gradients, text and local references survive; anything that runs, loads or links
(script, foreignObject, image, a, animation, event handlers, hrefs and url()s that leave the
document, <style>) is refused with a message that says what to change. Editors' bookkeeping
(Inkscape's and Illustrator's namespaces, <metadata>) is dropped, as are attributes outside
the allow-list, which draw nothing a logo needs. A ``style`` attribute is turned into
presentation attributes, so the result needs no inline CSS and passes the site's CSP.

Ids are prefixed (``logo-``) and references rewritten to match, so a logo inlined in a report
can never take over one of the report's own anchors. The output of a clean logo is itself
clean and unchanged by cleaning again.

Pure: text in, text out, no Django models, no I/O.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError

MAX_BYTES = 32 * 1024
MAX_ELEMENTS = 800
MAX_DEPTH = 24
ID_PREFIX = "logo-"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Drawing editors' private markup: it draws nothing, so it is dropped without a word.
EDITOR_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://www.bohemiancoding.com/sketch/ns",
        "http://www.serif.com/",
    }
)

ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "mask",
    }
)  # fmt: skip
DROPPED_ELEMENTS = frozenset({"metadata"})
TEXT_ELEMENTS = frozenset({"text", "tspan", "title", "desc"})
# Elements a logo has no business holding, with the reason given to the person uploading it.
REFUSED_ELEMENTS = {
    "script": "it could run code in the pages that show the logo",
    "foreignObject": "it can embed HTML in the picture",
    "image": "it loads a picture from elsewhere; draw the logo with shapes instead",
    "feImage": "it loads a picture from elsewhere",
    "style": "write the colours as attributes instead (in Illustrator: Styling, Presentation "
    "Attributes; in Inkscape: save as Optimized SVG)",
    "a": "a logo is not a link",
    "iframe": "it embeds another page",
    "animate": "a logo does not move",
    "animateTransform": "a logo does not move",
    "animateMotion": "a logo does not move",
    "set": "it changes the picture after loading",
}

PRESENTATION = frozenset(
    {
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "clip-path", "clip-rule", "mask", "stop-color",
        "stop-opacity", "font-family", "font-size", "font-weight", "font-style",
        "letter-spacing", "text-anchor", "dominant-baseline", "display", "visibility", "color",
    }
)  # fmt: skip
GEOMETRY = frozenset(
    {
        "id", "viewBox", "preserveAspectRatio", "width", "height", "x", "y", "x1", "y1", "x2",
        "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points", "transform", "offset",
        "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits", "maskUnits",
        "maskContentUnits", "dx", "dy",
    }
)  # fmt: skip
HREF_ELEMENTS = frozenset({"use", "linearGradient", "radialGradient"})

_LOCAL_URL = re.compile(r"url\(\s*['\"]?#([A-Za-z_][\w.-]*)['\"]?\s*\)")
_ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_SAFE_VALUE = re.compile(r"[^<>\\\x00-\x08\x0b\x0c\x0e-\x1f]*")
_ID = re.compile(r"[A-Za-z_][\w.-]*")


def _refuse(message: str) -> ValidationError:
    return ValidationError(f"The logo was not accepted: {message}.", code="unsafe_svg")


def _split(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _prefixed(identifier: str) -> str:
    return identifier if identifier.startswith(ID_PREFIX) else ID_PREFIX + identifier


def _clean_value(name: str, value: str, *, element: str) -> str:
    """The attribute's value with local references renamed; refused if it reaches outside."""
    value = " ".join(value.split())
    if not _SAFE_VALUE.fullmatch(value) or "javascript:" in value.lower():
        raise _refuse(f"the attribute {name} on <{element}> holds characters a drawing never uses")
    if name == "href":
        if (
            element not in HREF_ELEMENTS
            or not value.startswith("#")
            or not _ID.fullmatch(value[1:])
        ):
            raise _refuse(
                f"<{element}> links to “{value[:60]}”; a logo may only refer to its own parts "
                "(#name)"
            )
        return "#" + _prefixed(value[1:])
    if name == "id":
        if not _ID.fullmatch(value):
            raise _refuse(f"the id “{value[:40]}” is not a plain name")
        return _prefixed(value)
    if _ANY_URL.search(value):
        rest = _LOCAL_URL.sub("", value)
        if _ANY_URL.search(rest):
            raise _refuse(
                f"the attribute {name} on <{element}> points outside the logo; only url(#name) "
                "references to the logo's own gradients and clips are allowed"
            )
        value = _LOCAL_URL.sub(lambda match: f"url(#{_prefixed(match.group(1))})", value)
    return value


def _attributes(node: Element, element: str) -> list[tuple[str, str]]:
    """The allow-listed attributes of ``node``, with ``style`` unfolded into attributes."""
    kept: dict[str, str] = {}
    styled: dict[str, str] = {}
    for raw_name, raw_value in node.attrib.items():
        namespace, name = _split(raw_name)
        if name.lower().startswith("on"):
            raise _refuse(f"<{element}> has an event handler ({name}), which would run code")
        if namespace == XLINK_NS and name == "href":
            namespace = ""
        if namespace:
            continue  # xml:space, editors' attributes: nothing a logo needs
        if name == "style":
            for declaration in raw_value.split(";"):
                prop, _, prop_value = declaration.partition(":")
                prop = prop.strip().lower()
                if prop in PRESENTATION and prop_value.strip():
                    styled[prop] = _clean_value(prop, prop_value.strip(), element=element)
                elif _ANY_URL.search(prop_value) and not _LOCAL_URL.fullmatch(prop_value.strip()):
                    raise _refuse(f"the style on <{element}> loads “{prop_value.strip()[:60]}”")
            continue
        if name in GEOMETRY or name in PRESENTATION or name == "href":
            kept[name] = _clean_value(name, raw_value, element=element)
    kept.update(styled)  # a style declaration wins over the attribute, as in CSS
    return list(kept.items())


def _write(node: Element, out: list[str], *, depth: int, count: list[int]) -> None:
    namespace, element = _split(node.tag)
    if namespace in EDITOR_NAMESPACES or (
        namespace in {"", SVG_NS} and element in DROPPED_ELEMENTS
    ):
        return
    if namespace not in {"", SVG_NS}:
        raise _refuse(f"it holds an element from another vocabulary ({namespace[:60]})")
    if element in REFUSED_ELEMENTS:
        raise _refuse(f"it holds a <{element}> element: {REFUSED_ELEMENTS[element]}")
    if element not in ELEMENTS:
        raise _refuse(
            f"it holds a <{element}> element; a logo is drawn with "
            + ", ".join(f"<{name}>" for name in sorted(ELEMENTS))
        )
    count[0] += 1
    if count[0] > MAX_ELEMENTS:
        raise _refuse(f"it has more than {MAX_ELEMENTS} elements; simplify the drawing")
    if depth > MAX_DEPTH:
        raise _refuse(f"its elements nest more than {MAX_DEPTH} deep")
    attributes = _attributes(node, element)
    if depth == 0:
        attributes = [("xmlns", SVG_NS), *attributes]
    out.append(f"<{element}" + "".join(f" {name}={quoteattr(value)}" for name, value in attributes))
    children = list(node)
    text = " ".join((node.text or "").split()) if element in TEXT_ELEMENTS else ""
    if not children and not text:
        out.append("/>")
        return
    out.append(">" + escape(text))
    for child in children:
        _write(child, out, depth=depth + 1, count=count)
        tail = " ".join((child.tail or "").split()) if element in TEXT_ELEMENTS else ""
        out.append(escape(tail))
    out.append(f"</{element}>")


def clean_logo_svg(source: str) -> str:
    """The logo ``source`` rewritten from the allow-list, ready to be marked safe.

    ValidationError, with what to change, when it is too large, is not an SVG, or holds
    anything that could run, load or link."""
    size = len(source.encode())
    if size > MAX_BYTES:
        raise _refuse(
            f"it is {size / 1024:.0f} KB and a logo may be at most {MAX_BYTES // 1024} KB; "
            "simplify it or save it as an optimised SVG"
        )
    try:
        root = fromstring(source.strip().encode(), forbid_dtd=True)
    except DefusedXmlException:
        raise _refuse("it declares a DOCTYPE or entities; save it as a plain SVG") from None
    except ParseError as error:
        raise _refuse(f"it is not well-formed XML ({error})") from None
    namespace, element = _split(root.tag)
    if element != "svg" or namespace not in {"", SVG_NS}:
        raise _refuse("it is not an SVG drawing (its outer element must be <svg>)")
    if "viewBox" not in root.attrib:
        width, height = root.attrib.get("width", ""), root.attrib.get("height", "")
        if not (_number(width) and _number(height)):
            raise _refuse("its <svg> has no viewBox, so it cannot be scaled; add one")
        root.set("viewBox", f"0 0 {_number(width)} {_number(height)}")
    out: list[str] = []
    _write(root, out, depth=0, count=[0])
    return "".join(out)


def _number(value: str) -> str:
    """A plain or ``px`` length as a number's text, or "" when it is neither."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*", value)
    return match.group(1) if match else ""
