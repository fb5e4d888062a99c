"""List bullets laid out once per look, not once per list item.

WeasyPrint lays out each outside list marker ("• ") as an absolutely positioned block: a
shrink-to-fit width (its min- and max-content widths, each a Pango layout of the text),
then the block's own line layout: three Pango layouts and some forty boxes' worth of
bookkeeping per `<li>`, re-done whenever its page is laid out again. On the five shipped
sheets (264 bullets on the largest) bullets cost some 12% of layout and drawing (measured
against `list-style: none`); this cache takes back about half (4.56 s -> 4.28 s CPU).

Two markers with the same text and the same inherited style (the only style a marker's
boxes have: WeasyPrint builds them as anonymous boxes, so nothing else of `::marker`
reaches them) in containing blocks of the same width are laid out alike, one line each,
at their own static position. `cached_layout` keeps the first such layout of a
document and gives each later marker a copy moved to its place: the same boxes, widths
and positions as WeasyPrint's own layout of it (tests/writers/test_markers.py compares
them). Anything else (a marker that breaks, images, other absolutes) goes to WeasyPrint.

The hook replaces one function of `weasyprint.layout.absolute`, so it is installed only on
the versions it was checked against (`CHECKED_VERSIONS`); any other version keeps
WeasyPrint's own marker layout, which looks the same and is only slower.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Hashable

from exporter.output.hooks import install_hook

CHECKED_VERSIONS = ("70.",)
_CACHE_ATTRIBUTE = "_exporter_marker_layouts"


def _key(box: Any, cb_width: float) -> Hashable | None:
    """What a marker's layout depends on: its text, inherited style and room; None: not a plain text marker."""
    from weasyprint.formatting_structure import boxes

    if len(box.children) != 1:
        return None
    line = box.children[0]
    if not isinstance(line, boxes.LineBox) or len(line.children) != 1:
        return None
    text = line.children[0]
    if not isinstance(text, boxes.TextBox):
        return None
    # The line and the text inherit everything from the marker's block (anonymous boxes
    # all three); only the text's white-space is set on its own.
    inherited = tuple(box.style[name] for name in _inherited_names())
    key = (text.text, text.style["white_space"], cb_width, inherited)
    try:
        hash(key)
    except TypeError:
        return None
    return key


@functools.cache
def _inherited_names() -> tuple[str, ...]:
    """WeasyPrint's inherited properties, in a fixed order."""
    from weasyprint.css.properties import INHERITED

    return tuple(sorted(INHERITED))


def cached_layout(original: Callable[..., tuple[Any, Any]]) -> Callable[..., tuple[Any, Any]]:
    """`weasyprint.layout.absolute.absolute_box_layout` (given as `original`) with each document's markers cached."""

    def absolute_box_layout(context: Any, box: Any, containing_block: Any, fixed_boxes: Any,
                            bottom_space: float, skip_stack: Any) -> tuple[Any, Any]:
        if not box.is_outside_marker or skip_stack:
            return original(context, box, containing_block, fixed_boxes, bottom_space, skip_stack)
        from weasyprint.formatting_structure import boxes

        cb_width = (containing_block.width if isinstance(containing_block, boxes.PageBox)
                    else containing_block.padding_width())
        key = _key(box, cb_width)
        if key is None:
            return original(context, box, containing_block, fixed_boxes, bottom_space, skip_stack)
        cache: dict[Hashable, tuple[Any, float, float]] = context.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
        found = cache.get(key)
        if found is None:
            x, y = box.position_x, box.position_y
            new_box, resume_at = original(context, box, containing_block, fixed_boxes, bottom_space, skip_stack)
            if resume_at is None:
                cache[key] = (new_box.deepcopy(), x, y)
            return new_box, resume_at
        template, x, y = found
        new_box = template.deepcopy()
        new_box.translate(box.position_x - x, box.position_y - y)
        return new_box, None

    return absolute_box_layout


def install() -> bool:
    """Hook the marker cache into WeasyPrint's absolute layout; False (and no hook) on an unchecked version."""
    from weasyprint.layout import absolute

    return install_hook(absolute, "absolute_box_layout", cached_layout, "caches_markers", CHECKED_VERSIONS)
