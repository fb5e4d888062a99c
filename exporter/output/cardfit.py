"""Which card faces surely fit one card, told from their HTML before any layout.

A face that surely fits is laid out straight in its cell of a side of paper: one
WeasyPrint page per side instead of one per card face (WeasyPrint spends some 3 ms on
each page, whatever it holds). The estimate wraps each block's words into lines with
the real advance widths of the DejaVu fonts the stylesheet prints with (bold on fronts
and in `<strong>`, mono in `<code>`), ignoring kerning, which only narrows text, and
breaking only at spaces, where Pango may break more often: it never counts fewer
lines than the layout makes. Without those fonts it falls back to a wide advance per
character and a spare line per block, as it does for cloze blanks (14 mm wide whatever
they hold) and raised or resized text. A face it is unsure of (images, tables,
formulas, code blocks, headings) goes on card-sized pages, where it may run on to
further cards. The layout then checks every face laid out in a cell (`write_cards`).
"""

from __future__ import annotations

import functools
import html
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser

from exporter.output.sheets import SheetItem

MM_TO_PT = 72 / 25.4
CARD_PADDING_MM = (4.0, 4.5)
"""The card page's margins (top and bottom, left and right): the cells' padding."""
TEXT_PT, HEAD_PT, LINE_HEIGHT = 9.5, 8.0, 1.25
CODE_EM = 0.9
"""Inline `<code>`'s size relative to its text (0.88 em in sheets.css, 0.9 em for a formula printed as text)."""
WIDE_ADVANCE_EM = 0.62
"""An advance wider than DejaVu Sans' average letter, bold capitals included (no fonts found)."""
FOREIGN_ADVANCE_EM = 1.3
"""A character DejaVu has no glyph for (emoji, CJK): drawn by a fallback font, wider than any DejaVu letter."""
FOREIGN_LINE = 1.5
"""A line holding such a character counts as one and a half: the fallback font's ascent may raise it."""
BLOCK_GAP_MM = 1.5
"""The bottom margin of a paragraph or list (sheets.css); counted for each, never collapsed."""
LIST_INDENT_MM = 5.0
NUM_GAP_MM = 1.0
"""The card number's right margin in the card's head line."""
WRITING_LINE_MM = 7.0
SAFETY = 0.9
"""Share of the card's height the estimate may fill."""

_UNSURE = re.compile(r"<(?:img|table|svg|pre|h[1-6]|hr|blockquote|video|audio|iframe|object)\b", re.IGNORECASE)
_ODD = re.compile(r"cloze|math-fallback|style=|<(?:sub|sup|small|big|font)\b", re.IGNORECASE)
"""Boxes the word widths do not tell (blanks 14 mm wide, raised or resized text): counted the wide way."""
_BLOCK = re.compile(r"<(?:p|li|div|dt|dd|ul|ol)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]+>")
_BLOCKS = {"p", "li", "div", "dt", "dd", "ul", "ol", "dl"}
_GAPPED = {"p", "ul", "ol"}
_BOLD = {"strong", "b", "th", "dt"}
_MONO = {"code", "kbd", "samp", "tt"}
_VOID = {"br", "wbr", "img", "hr", "input", "meta", "link", "source", "col", "area", "base", "embed", "param", "track"}

Advances = dict[int, float]
"""Code point -> advance in em."""


@functools.lru_cache(maxsize=1)
def _fonts() -> tuple[Advances, Advances, Advances] | None:
    """DejaVu Sans, its bold and DejaVu Sans Mono as fontconfig finds them (what WeasyPrint draws with), or None."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        from fontTools.ttLib import TTFont

        def advances(pattern: str, family: str) -> Advances | None:
            found = subprocess.run([fc_match, "-f", "%{family}\t%{file}", pattern], capture_output=True,
                                   text=True, timeout=10, check=True).stdout
            families, _, path = found.partition("\t")
            if family not in families.split(","):
                return None  # another font would print: its widths are not these
            font = TTFont(path, lazy=True)
            per_em = font["head"].unitsPerEm
            metrics = font["hmtx"].metrics
            return {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}

        def widest(*tables: Advances | None) -> Advances | None:
            """Each character's widest advance among upright and oblique (« » and a few more differ)."""
            if any(table is None for table in tables):
                return None
            merged: Advances = {}
            for table in tables:
                assert table is not None
                for code, width in table.items():
                    merged[code] = max(width, merged.get(code, 0.0))
            return merged

        regular = widest(advances("DejaVu Sans", "DejaVu Sans"), advances("DejaVu Sans:oblique", "DejaVu Sans"))
        bold = widest(advances("DejaVu Sans:bold", "DejaVu Sans"),
                      advances("DejaVu Sans:bold:oblique", "DejaVu Sans"))
        mono = advances("DejaVu Sans Mono", "DejaVu Sans Mono")
        if regular is None or bold is None or mono is None:
            return None
        return regular, bold, mono
    except (OSError, subprocess.SubprocessError, KeyError, ImportError, ValueError):
        return None


class _Blocks(HTMLParser):
    """The face's text as blocks, each a list of (text, bold, mono) runs, with its list indent and gap."""

    def __init__(self, bold: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[float, list[tuple[str, bool, bool]]]] = []
        self.gaps = 0
        self._runs: list[tuple[str, bool, bool]] = []
        self._stack: list[str] = []
        self._bold = bold
        self._indent = 0.0

    def _flush(self) -> None:
        if any(text.strip() for text, _, _ in self._runs):
            self.blocks.append((self._indent, self._runs))
        self._runs = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush()
            return
        if tag in _VOID:
            return
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol"):
            self._indent += LIST_INDENT_MM * MM_TO_PT
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag in _BLOCKS:
                self._flush()
            if open_tag in ("ul", "ol"):
                self._indent -= LIST_INDENT_MM * MM_TO_PT
            if open_tag in _GAPPED:
                self.gaps += 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        bold = self._bold or any(tag in _BOLD for tag in self._stack)
        mono = any(tag in _MONO for tag in self._stack)
        self._runs.append((data, bold, mono))


def _wrapped_lines(runs: list[tuple[str, bool, bool]], width_pt: float, size_pt: float,
                   fonts: tuple[Advances, Advances, Advances]) -> float:
    """Lines the runs take when wrapped greedily at spaces into `width_pt`, a word wider than a line on its own."""
    regular, bold, mono = fonts
    words: list[tuple[float, float, bool]] = []  # (width, width of the space after, holds a foreign character)
    current, foreign, pending = 0.0, False, False
    space = 0.0

    def advance(char: str, is_bold: bool, is_mono: bool) -> float | None:
        table = mono if is_mono else bold if is_bold else regular
        found = table.get(ord(char))
        return None if found is None else found * size_pt * (CODE_EM if is_mono else 1.0)

    for text, is_bold, is_mono in runs:
        for char in text:
            if char in " \t\n\r\f":
                if pending:
                    words.append((current, 0.0, foreign))
                    current, foreign, pending = 0.0, False, False
                space = advance(" ", is_bold, is_mono) or size_pt
                if words:
                    words[-1] = (words[-1][0], space, words[-1][2])
                continue
            width = advance(char, is_bold, is_mono)
            if width is None:
                width, foreign = FOREIGN_ADVANCE_EM * size_pt, True
            current += width
            pending = True
    if pending:
        words.append((current, 0.0, foreign))
    if not words:
        return 0.0
    lines: list[bool] = []  # each line: holds a foreign character
    used = 0.0  # the last line's width so far, the space after its last word included
    for width, space_after, has_foreign in words:
        if lines and used + width <= width_pt:
            lines[-1] = lines[-1] or has_foreign
            used += width + space_after
        else:
            count = max(1, math.ceil(width / width_pt))
            lines.extend([has_foreign] * count)
            used = (width if count == 1 else width_pt) + space_after
    return sum(FOREIGN_LINE if foreign_line else 1.0 for foreign_line in lines)


def _text_height(fragment: str, width_pt: float, size_pt: float, bold: bool) -> float | None:
    """Points the fragment's blocks take (lines and gaps), or None when the fonts are not at hand."""
    fonts = _fonts()
    if fonts is None:
        return None
    parser = _Blocks(bold)
    parser.feed(fragment)
    parser.close()
    parser._flush()
    lines = sum(_wrapped_lines(runs, width_pt - indent, size_pt, fonts) for indent, runs in parser.blocks)
    return lines * size_pt * LINE_HEIGHT + parser.gaps * BLOCK_GAP_MM * MM_TO_PT


def _wide_lines(fragment: str, width_pt: float, size_pt: float) -> int:
    text = html.unescape(_TAG.sub("", fragment)).strip()
    return math.ceil(len(text) * WIDE_ADVANCE_EM * size_pt / width_pt) if text else 0


def surely_fits(item: SheetItem, front: bool, card_mm: tuple[float, float], writing_lines: int) -> bool:
    """True when the front (or the back) of `item` cannot need more than one card."""
    width_pt = (card_mm[0] - 2 * CARD_PADDING_MM[1]) * MM_TO_PT
    room_pt = (card_mm[1] - 2 * CARD_PADDING_MM[0]) * MM_TO_PT * SAFETY
    head = item.context_html if front else ""
    head_pt = _text_height(f"<div>{item.number} {head}</div>", width_pt - NUM_GAP_MM * MM_TO_PT, HEAD_PT, False)
    if head_pt is None:
        head_pt = max(1, _wide_lines(head, width_pt, HEAD_PT)) * HEAD_PT * LINE_HEIGHT
    used = head_pt + BLOCK_GAP_MM * MM_TO_PT
    if not front and item.is_open:
        return used + TEXT_PT * LINE_HEIGHT + writing_lines * WRITING_LINE_MM * MM_TO_PT <= room_pt
    body = item.question_html if front else item.answer_html
    if _UNSURE.search(body) or _UNSURE.search(head):
        return False
    body_pt = None if _ODD.search(body) else _text_height(body, width_pt, TEXT_PT, front)
    if body_pt is None:
        blocks = max(1, len(_BLOCK.findall(body)))
        lines = _wide_lines(body, width_pt, TEXT_PT) + blocks
        body_pt = lines * TEXT_PT * LINE_HEIGHT + blocks * BLOCK_GAP_MM * MM_TO_PT
    return used + body_pt <= room_pt
