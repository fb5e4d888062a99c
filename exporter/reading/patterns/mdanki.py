r"""mdanki cards: a `##` heading, the front, a line holding only `%`, the back.

    ## Big-O of binary search

    On a sorted array of n items?

    %

    $O(\log n)$: each step halves the interval.

The front is the heading text, followed by any text before the `%` line; the
back runs from the `%` line to the next heading of the same or a higher level.
A heading section without a `%` line is left to the other patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading, first_text_line, lines_text
from exporter.reading.document import Block
from exporter.reading.layout import LineKind


_SPLIT = re.compile(r"^[ \t]*%[ \t]*$", re.MULTILINE)


class Mdanki:
    name: ClassVar[str] = "mdanki"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        if not may_claim(doc.source.text):
            return
        kinds = doc.layout.kinds
        for heading in doc.blocks:
            if heading.type != "heading" or not reading.free(heading.start, heading.end):
                continue
            end = reading.next_claimed(heading.end, doc.section_end(heading))
            split = next((i for i in range(heading.end, end)
                          if kinds[i] is LineKind.TEXT and doc.lines[i].strip() == "%"), None)
            if split is None:
                continue
            if _heading_before(doc.blocks, heading.index + 1, split):
                continue  # the `%` belongs to a sub-heading's card
            front = lines_text(doc.lines[heading.end : split])
            question = f"{heading.content}\n\n{front}" if front else heading.content
            back = doc.lines[split + 1 : end]
            context = reading.context_of(doc.parents_of(heading))
            note = reading.note(NoteKind.QA, question, lines_text(back) or None, heading.start,
                                first_text_line(back, split + 1), context=context)
            yield Claim.of(heading.start, end, note)


def _heading_before(blocks: list[Block], first: int, line: int) -> bool:
    """True when a heading starts between block `first` and 0-based `line`."""
    for index in range(first, len(blocks)):
        block = blocks[index]
        if block.start >= line:
            return False
        if block.type == "heading":
            return True
    return False


def may_claim(text: str) -> bool:
    """False when no line is a lone `%`: then this pattern claims nothing."""
    return "%" in text and _SPLIT.search(text) is not None
