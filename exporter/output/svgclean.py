"""Formula SVG is untrusted too: TeX can ask MathJax for links, tooltips, classes and styles.

`\\href{javascript:...}{x}` becomes an `<a href>` and `\\texttip{x}{<script>...}` a
`<title>` whose text a browser parses as a live `<script>` inside inline SVG. The card
HTML allowlist (`exporter.rendering.sanitize`) knows no SVG, so drawings get their own:
the elements and attributes that draw, nothing that links, runs or loads.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

SVG_NS = "http://www.w3.org/2000/svg"
_DRAWING = frozenset({"svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "ellipse", "defs",
                      "text", "tspan"})
_UNWRAPPED = frozenset({"a"})
"""Kept for their children only: the link of `\\href` goes, the formula stays."""
_ATTRIBUTES = frozenset({
    "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "points", "d",
    "transform", "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-miterlimit", "fill-opacity", "stroke-opacity", "opacity", "class", "style", "preserveAspectRatio",
    "pointer-events", "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
})
_UNSAFE_VALUE = re.compile(r"url\s*\(|expression\s*\(|@import|javascript:|vbscript:|[<>]", re.IGNORECASE)



def clean_svg(svg: str) -> str | None:
    """The SVG with only drawing elements and attributes, or None when it is not one SVG element."""
    try:
        root = ElementTree.fromstring(svg)
    except (ElementTree.ParseError, ValueError, RecursionError):
        return None
    if _local(root.tag) != "svg":
        return None
    _clean(root)
    return serialized(root)


def serialized(root: ElementTree.Element) -> str:
    """`root` as `<svg xmlns="...">`, whatever prefixes other modules have registered.

    ElementTree's prefix map is shared by the whole process: WeasyPrint's import registers
    the "" prefix for itself, after which the SVG namespace would be written `<ns0:svg>`,
    which no browser draws (the HTML preview) and no cache check accepts. So the SVG
    namespace is written out by hand, as the first attribute, as before.
    """
    prefix = "{" + SVG_NS + "}"
    if not root.tag.startswith(prefix):
        return ElementTree.tostring(root, encoding="unicode", short_empty_elements=False)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = element.tag[len(prefix):]
    attributes = dict(root.attrib)
    root.attrib.clear()
    root.attrib.update({"xmlns": SVG_NS, **attributes})
    return ElementTree.tostring(root, encoding="unicode", short_empty_elements=False)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(element: ElementTree.Element) -> None:
    for name in list(element.attrib):
        if name not in _ATTRIBUTES or _UNSAFE_VALUE.search(element.attrib[name]):
            del element.attrib[name]
    children: list[ElementTree.Element] = []
    for child in element:
        tag = _local(child.tag)
        if tag in _DRAWING:
            _clean(child)
            children.append(child)
        elif tag in _UNWRAPPED:
            _clean(child)
            children.extend(child)  # the link's drawing, without the link
    element[:] = children
    if _local(element.tag) not in ("text", "tspan"):
        element.text = None  # text in a drawing element is never drawn; only <text> shows it
    for child in children:
        child.tail = None
