"""Dot leaders drawn as runs of dots instead of one text box per dot.

WeasyPrint lays out `leader(".")` by copying the dot's text box once per dot: a contents
line holds some 140 boxes, each drawn on its own (its own text object in the PDF, its own
pass through stacking, backgrounds and drawing): 13% of the five shipped sheets' CPU.
After WeasyPrint has placed the dots, `merge_leader_dots` replaces them with text boxes of
RUN dots each, laid out by Pango at the place of their first dot: the dots keep their font,
size and advance, so each lands where it was (to within 0.02 pt) and the extracted text is
the same (-8% CPU on the five shipped sheets, 5.63 s against 5.19 s).

The hook wraps one internal WeasyPrint function (`weasyprint.layout.inline.handle_leader`),
so it is installed only on the versions it was checked against (`CHECKED_VERSIONS`); any
other version keeps WeasyPrint's own leaders, which look the same and are only slower.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from exporter.output.hooks import install_hook

CHECKED_VERSIONS = ("70.",)
"""WeasyPrint versions whose leader layout this hook was compared against (tests/output/test_leaders.py)."""

RUN = 16
"""Dots per text box. Within a box the PDF places each dot by the font's advance, rounded to
1/1000 em, which is up to 0.0013 pt off WeasyPrint's step: over 16 dots at most 0.02 pt."""
_WIDTH_TOLERANCE_PX = 0.01
"""The merged run must be as wide as the dots were, to within this: otherwise they are left alone."""


def merge_leader_dots(context: Any, line: Any, leader_box: Any) -> None:
    """Replace the leader's dot boxes by a few text boxes of RUN dots each, at the same places."""
    from weasyprint.text.line_break import split_first_line

    dots = sorted(leader_box.children, key=lambda box: box.position_x)
    if len(dots) < 3:
        return
    step = dots[0].width
    if step <= 0 or any(box.text != dots[0].text for box in dots):
        return
    if any(abs(b.position_x - a.position_x - step) > _WIDTH_TOLERANCE_PX for a, b in zip(dots, dots[1:])):
        return  # not one contiguous run: leave WeasyPrint's boxes
    layouts: dict[int, tuple[Any, float]] = {}
    runs = []
    # WeasyPrint draws the dots from right to left, so text extraction (pdftotext) reads
    # every dot as a word of its own, apart from the title before them. The leftmost dot
    # stays a box of its own, drawn last as before: the title stays a word of its own.
    for index in range(1, len(dots), RUN):
        count = min(RUN, len(dots) - index)
        if count not in layouts:
            text = dots[0].text * count
            layout, length, resume, width, _, _ = split_first_line(
                text, dots[0].style, context, math.inf, dots[0].justification_spacing, is_line_start=False)
            if resume is not None or length != len(text.encode()) or abs(width - step * count) > _WIDTH_TOLERANCE_PX:
                return
            layouts[count] = layout, width
        layout, width = layouts[count]
        run = dots[index].copy_with_text(layout.text)
        run.pango_layout = layout
        run.width = width
        runs.append(run)
    leader_box.children = (*reversed(runs), dots[0])


def install() -> bool:
    """Hook `merge_leader_dots` into WeasyPrint's line layout; False (and no hook) on an unchecked version."""
    from weasyprint.layout import inline, leader

    def merging(original: Callable[..., None]) -> Callable[..., None]:
        def handle_leader(context: Any, line: Any, containing_block: Any) -> None:
            original(context, line, containing_block)
            _, leader_box = leader.leader_index(line)
            if leader_box is not None:
                merge_leader_dots(context, line, leader_box)

        return handle_leader

    return install_hook(inline, "handle_leader", merging, "merges_dots", CHECKED_VERSIONS)
