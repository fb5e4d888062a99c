"""Which card faces surely fit one card, told from their HTML before any layout.

A face that surely fits is laid out straight in its cell of a side of paper: one
WeasyPrint page per side instead of one per card face (WeasyPrint spends some 3 ms on
each page, whatever it holds). The estimate is pessimistic (wide letters, a short last
line in every block); a face it is unsure of (images, tables, formulas, code, headings,
long text) goes on card-sized pages, where it may run on to further cards. The layout
then checks every face laid out in a cell (`write_cards`).
"""

from __future__ import annotations

import html
import math
import re

from exporter.output.sheets import SheetItem

MM_TO_PT = 72 / 25.4
CARD_PADDING_MM = (4.0, 4.5)
"""The card page's margins (top and bottom, left and right): the cells' padding."""
TEXT_PT, HEAD_PT, LINE_HEIGHT = 9.5, 8.0, 1.25
WIDE_ADVANCE_EM = 0.62
"""An advance wider than DejaVu Sans' average letter, bold capitals included."""
BLOCK_GAP_MM = 1.5
WRITING_LINE_MM = 7.0
SAFETY = 0.9
"""Share of the card's height the estimate may fill."""

_UNSURE = re.compile(r"<(?:img|table|svg|pre|h[1-6]|hr|blockquote|video|audio|iframe|object)\b", re.IGNORECASE)
_BLOCK = re.compile(r"<(?:p|li|div|dt|dd|ul|ol)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]+>")


def _lines(fragment: str, width_pt: float, size_pt: float) -> int:
    text = html.unescape(_TAG.sub("", fragment)).strip()
    return math.ceil(len(text) * WIDE_ADVANCE_EM * size_pt / width_pt) if text else 0


def surely_fits(item: SheetItem, front: bool, card_mm: tuple[float, float], writing_lines: int) -> bool:
    """True when the front (or the back) of `item` cannot need more than one card."""
    width_pt = (card_mm[0] - 2 * CARD_PADDING_MM[1]) * MM_TO_PT
    room_pt = (card_mm[1] - 2 * CARD_PADDING_MM[0]) * MM_TO_PT * SAFETY
    head = item.context_html if front else ""
    used = max(1, _lines(head, width_pt, HEAD_PT)) * HEAD_PT * LINE_HEIGHT + BLOCK_GAP_MM * MM_TO_PT
    if not front and item.is_open:
        return used + TEXT_PT * LINE_HEIGHT + writing_lines * WRITING_LINE_MM * MM_TO_PT <= room_pt
    body = item.question_html if front else item.answer_html
    if _UNSURE.search(body) or _UNSURE.search(head):
        return False
    blocks = max(1, len(_BLOCK.findall(body)))
    lines = _lines(body, width_pt, TEXT_PT) + blocks
    return used + lines * TEXT_PT * LINE_HEIGHT + blocks * BLOCK_GAP_MM * MM_TO_PT <= room_pt
