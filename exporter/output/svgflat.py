"""A formula's glyphs as one path: WeasyPrint pays per SVG element, not per curve.

MathJax draws every glyph as a `<path>` inside one or two `<g transform>` of its own: a
sheet's formulas are some 900 paths and 1,200 groups, and WeasyPrint cascades styles,
builds a box, parses a transform and sets the graphic state for each element. With the
placements folded into the coordinates, a formula is one `<path>` (plus MathJax's rules,
`<rect>`, kept as rectangles), drawn exactly as before:

- only translations and positive scales are folded (MathJax uses nothing else inside the
  formula's outer flip), so every glyph keeps its outline's orientation and one path
  filled by the nonzero rule covers exactly what the glyphs did one by one;
- all in one colour: a formula with any other attribute on its groups (`\\color`, links,
  classes) or any other element is left as it is;
- coordinates are in MathJax's units (1,000 per em) and written to 1/10 of one (1/10,000 em).

The price is file size: a glyph drawn at its own place repeats no bytes of another, so
deflate finds less to share (deep-learning.pdf, 66 formulas: 239 KB -> 559 KB). Moving each
glyph's transform onto its path instead (no groups, repeats kept) keeps the size but saves
half as much (the five sheets: 5.60 s as drawn, 5.27 s so, 4.91 s folded).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree

from exporter.output.svgclean import SVG_NS, serialized
from exporter.output.svgpath import parse

_PREFIX = "{" + SVG_NS + "}"
_TRANSFORM = re.compile(r"(translate|scale)\(([^()]*)\)")

Affine = tuple[float, float, float, float]
"""(sx, sy, tx, ty): (x, y) -> (sx*x + tx, sy*y + ty)."""
IDENTITY: Affine = (1.0, 1.0, 0.0, 0.0)


class _Unflattenable(Exception):
    """Something this module does not fold: the formula is kept as MathJax drew it."""


def flatten_svg(svg: str) -> str:
    """`svg` with each formula's glyphs merged into one path, or `svg` unchanged when that is not sure to draw the same."""
    try:
        root = ElementTree.fromstring(svg)
    except (ElementTree.ParseError, ValueError, RecursionError):
        return svg
    children = list(root)
    if root.tag != _PREFIX + "svg" or len(children) != 1 or children[0].tag != _PREFIX + "g":
        return svg
    outer = children[0]
    paths: list[str] = []
    rects: list[ElementTree.Element] = []
    try:
        for child in outer:
            _fold(child, IDENTITY, paths, rects)
    except _Unflattenable:
        return svg
    if not paths and not rects:
        return svg
    outer[:] = []
    if paths:
        ElementTree.SubElement(outer, _PREFIX + "path", {"d": "".join(paths)})
    outer.extend(rects)
    return serialized(root)


def _fold(element: ElementTree.Element, parent: Affine, paths: list[str], rects: list[ElementTree.Element]) -> None:
    attributes = dict(element.attrib)
    matrix = _compose(parent, _parse_transform(attributes.pop("transform", "")))
    tag = element.tag
    if tag == _PREFIX + "g" and not attributes:
        for child in element:
            _fold(child, matrix, paths, rects)
    elif tag == _PREFIX + "path" and set(attributes) == {"d"} and len(element) == 0:
        paths.append(_transform_path(attributes["d"], matrix))
    elif tag == _PREFIX + "rect" and set(attributes) <= {"x", "y", "width", "height"} and len(element) == 0:
        rects.append(_transform_rect(attributes, matrix))
    else:
        raise _Unflattenable(tag)


def _parse_transform(text: str) -> Affine:
    matrix = IDENTITY
    pos = 0
    while pos < len(text):
        if text[pos] in " \t\r\n,":
            pos += 1
            continue
        match = _TRANSFORM.match(text, pos)
        if match is None:
            raise _Unflattenable(text)
        kind, inside = match.groups()
        try:
            numbers = [float(part) for part in inside.replace(",", " ").split()]
        except ValueError as exc:
            raise _Unflattenable(text) from exc
        if not 1 <= len(numbers) <= 2 or not all(math.isfinite(n) for n in numbers):
            raise _Unflattenable(text)
        if kind == "translate":
            step: Affine = (1.0, 1.0, numbers[0], numbers[1] if len(numbers) == 2 else 0.0)
        else:
            step = (numbers[0], numbers[-1], 0.0, 0.0)
        if step[0] <= 0 or step[1] <= 0:
            raise _Unflattenable(text)  # a mirrored glyph would fill its overlaps differently
        matrix = _compose(matrix, step)
        pos = match.end()
    return matrix


def _compose(outer: Affine, inner: Affine) -> Affine:
    """`inner` applied first, then `outer`."""
    return (outer[0] * inner[0], outer[1] * inner[1], outer[0] * inner[2] + outer[2], outer[1] * inner[3] + outer[3])


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _transform_path(d: str, matrix: Affine) -> str:
    """`d` with `matrix` applied: the absolute commands MathJax writes (M, L, H, V, Q, T, Z), read by `svgpath.parse`."""
    commands = parse(d)
    if commands is None:
        raise _Unflattenable(d)  # relative commands, arcs, curves or anything unexpected
    sx, sy, tx, ty = matrix
    out: list[str] = []
    for letter, args in commands:
        if letter == "H":
            values = [sx * args[0] + tx]
        elif letter == "V":
            values = [sy * args[0] + ty]
        else:
            values = [sx * value + tx if i % 2 == 0 else sy * value + ty for i, value in enumerate(args)]
        out.append(letter + " ".join(_number(value) for value in values))
    return "".join(out)


def _transform_rect(attributes: dict[str, str], matrix: Affine) -> ElementTree.Element:
    sx, sy, tx, ty = matrix
    try:
        x, y = float(attributes.get("x", "0")), float(attributes.get("y", "0"))
        width, height = float(attributes["width"]), float(attributes["height"])
    except (KeyError, ValueError) as exc:
        raise _Unflattenable("rect") from exc
    return ElementTree.Element(_PREFIX + "rect", {
        "width": _number(sx * width), "height": _number(sy * height),
        "x": _number(sx * x + tx), "y": _number(sy * y + ty),
    })
