"""Formula paths read by a one-pass parser, drawing exactly what WeasyPrint's own reader draws.

WeasyPrint reads a path's `d` by rewriting the whole string once per command letter (20
passes), normalising it with regular expressions and splitting each number off the rest
of the string: on a sheet's formulas (one long path each, see `svgflat`) that is most of
their drawing time. `draw_path` reads the absolute commands MathJax and `svgflat` write
(M, L, H, V, Q, T, Z) in one regular-expression pass and then writes what the calls of
`weasyprint.svg.path.path` write, with the same arithmetic in the same order: the same PDF
operators and numbers, as one chunk of the page's stream (not one pydyf call and chunk per
operator: a sixth of a formula's drawing), and the same vertices (for markers). Any other
path (relative commands, arcs, curves, units) goes to WeasyPrint's reader.

The hook replaces one entry of WeasyPrint's SVG tag table, so it is installed only on the
versions it was checked against (`CHECKED_VERSIONS`, tests/writers/test_svgpath.py).
"""

from __future__ import annotations

import functools
import re
from math import atan2, pi
from typing import Any, Callable

from exporter.output.hooks import install_hook

CHECKED_VERSIONS = ("70.",)
_ARGUMENTS = {"M": 2, "L": 2, "H": 1, "V": 1, "Q": 4, "T": 2, "Z": 0}
_TOKEN = re.compile(r"([MLHVQTZ])|(-?(?:\d+\.?\d*|\.\d+))|([\s,]+)|(.)")

Command = tuple[str, tuple[float, ...]]


@functools.lru_cache(maxsize=4096)
def parse(d: str) -> tuple[Command, ...] | None:
    """`d` as (letter, arguments) per command, repeats split as WeasyPrint does (M's become L's); None: not ours."""
    commands: list[Command] = []
    letter = ""
    numbers: list[float] = []

    def flush() -> bool:
        count = _ARGUMENTS[letter]
        if count == 0:
            commands.append((letter, ()))
            return not numbers
        if not numbers or len(numbers) % count:
            return False
        for start in range(0, len(numbers), count):
            commands.append((letter if start == 0 or letter != "M" else "L", tuple(numbers[start:start + count])))
        return True

    for command, number, _, other in _TOKEN.findall(d):
        if other or (number and not letter):
            return None
        if command:
            if letter and not flush():
                return None
            letter, numbers = command, []
        elif number:
            numbers.append(float(number))
    if letter and not flush():
        return None
    return tuple(commands)


def draw_path(svg: Any, node: Any, font_size: float, fallback: Callable[..., None]) -> None:
    """Draw `node`'s path like `weasyprint.svg.path.path`, or hand it to `fallback` when it is not ours."""
    drawn = drawing(node.get("d", ""))
    if drawn is None:
        fallback(svg, node, font_size)
        return
    operators, vertices = drawn
    svg.stream.stream.append(operators)
    node.vertices.extend(vertices)


def _number(value: float) -> str:
    """`value` as pydyf writes it (`pydyf._to_bytes`): integral floats without a point, others without trailing zeros."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:f}".rstrip("0")
    return str(value)


@functools.lru_cache(maxsize=4096)
def drawing(d: str) -> tuple[bytes, tuple[Any, ...]] | None:
    """The PDF operators WeasyPrint's stream would hold for path `d`, as one chunk, and its vertices; None: not ours.

    pydyf writes a stream as its chunks joined by newlines, so one chunk of the operators
    joined by newlines is the same bytes as one chunk per operator; the numbers are
    written as pydyf writes them (`_number`). A formula drawn again (on a sheet and on its
    card, or twice in a deck) costs a lookup.
    """
    commands = parse(d)
    if commands is None:
        return None
    ops: list[str] = []
    vertices: list[Any] = []
    current_point: tuple[float, float] = (0, 0)
    ops.append("0 0 m")
    last_letter: str | None = None
    first_path_point: tuple[float, float] | None = None
    x = y = x2 = y2 = x3 = y3 = 0.0
    for letter, args in commands:
        if last_letter in (None, "Z") and letter != "M":
            vertices.append(current_point)
            first_path_point = current_point
        if last_letter in (None, "M", "Z"):
            first_path_point = None
        if letter not in ("M", "Z") and first_path_point is None:
            first_path_point = current_point
        if letter == "H":
            old_x, old_y = current_point
            x = args[0]
            angle = 0 if x > old_x else pi
            vertices.append((pi - angle, angle))
            ops.append(f"{_number(x)} {_number(old_y)} l")
            current_point = x, old_y
        elif letter == "L":
            x, y = args
            old_x, old_y = current_point
            angle = atan2(y - old_y, x - old_x)
            vertices.append((pi - angle, angle))
            ops.append(f"{_number(x)} {_number(y)} l")
            current_point = x, y
        elif letter == "M":
            x, y = args
            if last_letter and last_letter != "Z":
                vertices.append(None)
            ops.append(f"{_number(x)} {_number(y)} m")
            current_point = x, y
        elif letter in "QT":
            x1, y1 = current_point
            if letter == "Q":
                x2, y2, x3, y3 = args
            else:
                if last_letter not in ("Q", "T"):
                    x2, y2, x3, y3 = x, y, x, y
                x2 = x1 + x3 - x2
                y2 = y1 + y3 - y2
                x3, y3 = args
            xq1 = x2 * 2 / 3 + x1 / 3
            yq1 = y2 * 2 / 3 + y1 / 3
            xq2 = x2 * 2 / 3 + x3 / 3
            yq2 = y2 * 2 / 3 + y3 / 3
            ops.append(f"{_number(xq1)} {_number(yq1)} {_number(xq2)} {_number(yq2)} {_number(x3)} {_number(y3)} c")
            vertices.append((0, 0))
            current_point = x3, y3
        elif letter == "V":
            old_x, old_y = current_point
            y = args[0]
            angle = pi / 2 if y > old_y else -pi / 2
            vertices.append((pi - angle, angle))
            ops.append(f"{_number(old_x)} {_number(y)} l")
            current_point = old_x, y
        elif letter == "Z" and first_path_point:
            vertices.append(None)
            ops.append("h")
            current_point = first_path_point
        if letter != "Z":
            vertices.append(current_point)
        last_letter = letter
    return "\n".join(ops).encode("ascii"), tuple(vertices)


def install() -> bool:
    """Route WeasyPrint's `<path>` drawing through `draw_path`; False (and no hook) on an unchecked version."""
    from weasyprint import svg

    def in_one_pass(original: Callable[..., None]) -> Callable[..., None]:
        def path(svg_: Any, node: Any, font_size: float) -> None:
            draw_path(svg_, node, font_size, original)

        return path

    return install_hook(svg.TAGS, "path", in_one_pass, "one_pass", CHECKED_VERSIONS)
