"""Bold-line questions: a line entirely in bold that asks, then its answer.

    **What is a p-value?**
    The probability of data at least this extreme if the null hypothesis holds.

    **2. Why normalise inputs?**

    - faster convergence
    - comparable feature scales

The question is the bold line (its `**`, and an author's number, dropped);
the answer is everything after it, paragraphs, lists, tables, code, up to the
next such line, a heading, a paragraph opening with a bold line that does not
ask (a pseudo-heading such as `**Partie 2**`), a rule, an HTML comment, or a
paragraph holding `{{c1::...}}` deletions after the first answer paragraph (a
cloze note of its own, read by `anki-cloze`). The line must be a whole
line of a top-level paragraph: a bold item inside a list is a list item, and a
bold line that does not ask (`**Partie 1 : ...**`) is a workshop's
pseudo-heading, left to the sections fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading, first_text_line, lines_text
from exporter.reading.document import Document
from exporter.reading.layout import LineKind, any_line, matching_lines
from exporter.reading.patterns.anki_cloze import starts_cloze_paragraph
from exporter.reading.patterns.lines import view_of

ASKING_BOLD = re.compile(r"^[^\n]*\?[ \t]*(?:\*\*|__)[ \t]*$", re.MULTILINE)
"""A line ending `?**`: a file without one has no bold-line question (a fast test of the whole text)."""
_NUMBER = re.compile(r"^\d+[ \t]*[.)][ \t]+")
_BOLD_ENDS = ("**", "__")


_ASKS_IN_BOLD_HINT = re.compile(r"\?[ \t]*(?:\*\*|__)")


def may_ask_in_bold(text: str) -> bool:
    """False when no line can end with `?` then `**` or `__`.

    One search for a `?` followed by the closing marker (1 ms on a 3 MB file, where
    four `in` tests took 10 ms); every line `ASKING_BOLD` matches holds one.
    """
    return _ASKS_IN_BOLD_HINT.search(text) is not None


def bold_line(line: str) -> str | None:
    """The text of a line entirely in bold (`**...**` or `__...__`), else None."""
    text = line.strip()
    for marker in ("**", "__"):
        if len(text) > 4 and text.startswith(marker) and text.endswith(marker) and marker not in text[2:-2]:
            return text[2:-2].strip()
    return None


def opens_bold_question(doc: Document, index: int) -> bool:
    """True when 0-based line `index` is a bold question: text (not code or comment) in a top-level paragraph."""
    if not bold_question_line(doc, index):
        return False
    block = doc.block_at(index)
    return block is not None and block.type == "paragraph"


def bold_question_line(doc: Document, index: int) -> bool:
    """True when 0-based line `index` is text that asks in bold: a bold question if it is in a top-level paragraph."""
    line = doc.lines[index]
    if not line.rstrip().endswith(_BOLD_ENDS):
        return False  # not a bold line (`bold_line` asks the same of the stripped line): the common case, cheaply
    return doc.layout.kinds[index] is LineKind.TEXT and asked(line) is not None


def asked(line: str) -> str | None:
    """The question of a line entirely in bold that ends with `?`, else None."""
    inner = bold_line(line)
    return _NUMBER.sub("", inner) if inner is not None and inner.endswith("?") else None


class BoldQuestions:
    name: ClassVar[str] = "bold-question"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        text = doc.source.text
        if not may_ask_in_bold(text) or not any_line(ASKING_BOLD, text):
            return
        stops = {b.start for b in doc.blocks if b.type in ("heading", "hr")}
        stops.update(c.start for c in doc.layout.comments)
        stops.update(b.start for b in doc.blocks if b.type == "paragraph" and bold_line(doc.lines[b.start]) is not None)
        starts = [i for i in matching_lines(ASKING_BOLD, text) if not reading.claimed[i] and opens_bold_question(doc, i)]
        view = view_of(doc) if "{{c" in text else None
        for position, start in enumerate(starts):
            limit = starts[position + 1] if position + 1 < len(starts) else len(doc.lines)
            first = first_text_line(doc.lines[start + 1 : limit], start + 1)
            end = next((i for i in range(start + 1, limit) if i in stops or reading.claimed[i]
                        or (view is not None and i > first and starts_cloze_paragraph(view, i))),
                       limit)
            question = asked(doc.lines[start])
            assert question is not None
            body = doc.lines[start + 1 : end]
            note = reading.note(NoteKind.QA, question, lines_text(body) or None, start, first_text_line(body, start + 1))
            yield Claim.of(start, end, note)
