"""Make wide content fit a printed column: code, tables and formulas never wrap or overprint.

Code lines keep their line breaks (a wrapped `model.summary()` table is unreadable), so a
listing too wide for its column is first set smaller, down to a floor, and when even that
is too wide the whole question spans both columns of a two-column sheet. Widths are
estimated from the text, not measured by a layout: monospace glyphs all have the same
advance, and MathJax writes each formula's width in `ex` on its SVG.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MM_TO_PT = 72 / 25.4
MONO_ADVANCE_EM = 0.602
"""The advance of every DejaVu Sans Mono glyph, in em."""
CODE_PT = 8.0
"""Code on sheets is printed at this size when it fits."""
MIN_CODE_PT = 6.5
"""The smallest size code is shrunk to before it spans both columns (or, at full width, wraps)."""
CODE_PADDING_MM = 10.0
"""The code block's padding and border plus the answer's left padding and rule."""
EX_PT = 4.3
"""One `ex` of a formula at the sheet's 10 pt text (MathJax's ex is 0.43 em)."""
COLUMN_GAP_MM = 7.0
TEXT_WIDTH_MM = {"a4": 180.0, "letter": 185.9}
WIDE_TABLE_COLUMNS = 4
WIDE_TABLE_ROW_CHARS = 60
"""A table row with more text than this is cramped in a column: the question spans both."""

_PRE = re.compile(r'<div class="highlight"><pre>(.*?)</pre></div>', re.DOTALL)
_TAG = re.compile(r"<[^<>]+>")  # [^<>]: linear on a run of "<"
_ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL | re.IGNORECASE)
_CELL = re.compile(r"<t[dh]\b", re.IGNORECASE)
_DISPLAY_SVG_WIDTH = re.compile(r'<span class="math display"><svg\b[^>]*?\bwidth="([\d.]+)ex"')


@dataclass(frozen=True)
class Fitted:
    """An item's HTML with its code sized to fit, and whether it needs both columns."""

    html: str
    wide: bool


def text_width_mm(paper: str) -> float:
    return TEXT_WIDTH_MM.get(paper, TEXT_WIDTH_MM["a4"])


def column_width_mm(paper: str, columns: int) -> float:
    full = text_width_mm(paper)
    return full if columns == 1 else (full - COLUMN_GAP_MM * (columns - 1)) / columns


def code_size(longest: int, width_mm: float) -> float:
    """The largest size up to CODE_PT at which `longest` characters fit `width_mm` of code block."""
    if longest <= 0:
        return CODE_PT
    fits = (width_mm - CODE_PADDING_MM) * MM_TO_PT / (MONO_ADVANCE_EM * longest)
    return min(CODE_PT, round(fits - 0.05, 1))


def longest_line(pre_html: str) -> int:
    """The length of the longest line of a listing, in characters."""
    text = html.unescape(_TAG.sub("", pre_html))
    return max((len(line.rstrip()) for line in text.split("\n")), default=0)


def fit(fragment: str, paper: str, columns: int) -> Fitted:
    """Size every listing of `fragment` for its column; say whether the item must span both."""
    column = column_width_mm(paper, columns)
    full = text_width_mm(paper)
    longest = [longest_line(m.group(1)) for m in _PRE.finditer(fragment)]
    wide = columns > 1 and (
        any(code_size(n, column) < MIN_CODE_PT for n in longest)
        or _has_wide_table(fragment)
        or any(float(w) * EX_PT > column * MM_TO_PT for w in _DISPLAY_SVG_WIDTH.findall(fragment))
    )
    width = full if wide else column
    sizes = iter(longest)

    def sized(match: re.Match[str]) -> str:
        size = code_size(next(sizes), width)
        if size >= CODE_PT:
            return match.group(0)
        wrap = " wrap" if size < MIN_CODE_PT else ""  # past the floor: wrap rather than overprint
        size = max(size, MIN_CODE_PT)
        return f'<div class="highlight{wrap}"><pre style="font-size: {size:g}pt">{match.group(1)}</pre></div>'

    return Fitted(_PRE.sub(sized, fragment), wide)


def _has_wide_table(fragment: str) -> bool:
    for row in _ROW.findall(fragment):
        if len(_CELL.findall(row)) >= WIDE_TABLE_COLUMNS:
            return True
        if len(html.unescape(_TAG.sub("", row)).strip()) > WIDE_TABLE_ROW_CHARS:
            return True
    return False
