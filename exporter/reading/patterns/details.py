"""Collapsible answers: `<details><summary>question</summary> answer </details>`.

    <details>
    <summary>What does `git rebase` do?</summary>

    It replays your commits on top of another base:

    ```bash
    git rebase main
    ```
    </details>

The summary is the question and everything up to the matching `</details>` the
answer (Markdown and HTML as written; rendering sanitises the HTML). Interview
collections often put the question just above and a generic summary inside
(`<summary>Answer</summary>`, "Show answer", "Solution", "Réponse"), and wrap
the answer in `<p>` ... `</p>` lines, which are dropped: then the
question is everything from the heading above down to the `<details>` (a code
block and options included), or without a heading the paragraph right above. Nested
`<details>` stay inside their parent's answer; indentation (a `<details>`
inside a list item) is removed so the answer is not read as a code block.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading, first_text_line, lines_text
from exporter.reading.layout import LineKind
from exporter.reading.patterns.bold_question import bold_line

_OPEN = "<details"
_ANY_DETAILS = re.compile("<details", re.IGNORECASE)
_CLOSE = "</details>"
_REVEAL = re.compile(
    r"^(?i:(?:show|see|view|reveal|click(?: here)? to (?:see|show|reveal|expand))?[ \t]*"
    r"(?:the[ \t]+)?(?:answers?|solutions?|réponses?|reponses?|explanations?|hints?|voir la réponse|expand))[ \t]*[.:!]?$"
)
_MARKUP = re.compile(r"<[^<>\n]{0,200}>|\*\*|__")
_LEAD = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+)*")
_NUMBER = re.compile(r"^(?:Q[ \t]*\d+|\d+)[ \t]*[.):][ \t]+")


class Details:
    name: ClassVar[str] = "details"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        text = doc.source.text
        if not may_claim(text):
            return
        kinds = doc.layout.kinds
        index = 0
        while index < len(doc.lines):
            line = doc.lines[index]
            if kinds[index] is not LineKind.TEXT or reading.claimed[index] or not line.lstrip().lower().startswith(_OPEN):
                index += 1
                continue
            end = _closing(reading, index)
            if end is None:
                index += 1
                continue
            found = _summary(doc.lines, index, end)
            if found is None:
                index += 1
                continue
            summary, after = found
            question, start = summary, index
            if _REVEAL.match(_MARKUP.sub("", summary).strip()):
                above = _question_above(reading, index)
                if above is None:
                    index = end + 1
                    continue
                question, start = above
            body_lines = _unwrap_paragraph(_answer_lines(doc.lines, after, end))
            body = textwrap.dedent("\n".join(body_lines)).split("\n")
            note = reading.note(NoteKind.QA, question, lines_text(body) or None, start,
                                first_text_line(body, after[0]))
            yield Claim.of(start, end + 1, note)
            index = end + 1


def _closing(reading: Reading, start: int) -> int | None:
    """The 0-based line of the `</details>` closing the one opened on `start` (nesting counted)."""
    depth = 0
    kinds = reading.doc.layout.kinds
    for index in range(start, len(reading.doc.lines)):
        if kinds[index] is LineKind.COMMENT or reading.claimed[index]:
            return None
        if kinds[index] is LineKind.FENCE:
            continue
        lowered = reading.doc.lines[index].lower()
        depth += lowered.count(_OPEN) - lowered.count(_CLOSE)
        if depth <= 0:
            return index
    return None


def _summary(lines: list[str], start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The summary's inner text and (line, column) just after `</summary>`."""
    text = "\n".join(lines[start : end + 1])
    lowered = text.lower()
    opening = lowered.find("<summary")
    if opening < 0:
        return None
    inner = lowered.find(">", opening)
    closing = lowered.find("</summary>", inner)
    if inner < 0 or closing < 0:
        return None
    summary = " ".join(text[inner + 1 : closing].split())
    offset = closing + len("</summary>")
    line = start + text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return summary, (line, column)


def _answer_lines(lines: list[str], after: tuple[int, int], end: int) -> list[str]:
    """The lines between `</summary>` and the closing `</details>`, both tags cut off."""
    line, column = after
    body = [lines[line][column:], *lines[line + 1 : end + 1]]
    last = body[-1]
    cut = last.lower().rfind(_CLOSE)
    body[-1] = last[:cut]
    if len(body) == 1:
        return [body[0]] if body[0].strip() else []
    return body


def _unwrap_paragraph(lines: list[str]) -> list[str]:
    """Without the lines `<p>` and `</p>` that wrap a whole answer (interview collections do).

    Blank lines stand in for the two tags, so the lines of the answer keep their numbers.
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) >= 2 and lines[filled[0]].strip().lower() == "<p>" and lines[filled[-1]].strip().lower() == "</p>":
        lines = list(lines)
        lines[filled[0]] = lines[filled[-1]] = ""
    return lines


def _question_above(reading: Reading, index: int) -> tuple[str, int] | None:
    """The question of a generic summary: from the heading above line `index` down to it, else the paragraph above.

    `###### 3. What's the output?`, a code block and the options `- A: ...` above a
    `<details><summary>Answer</summary>` are all the question. A line entirely in
    bold (`**1. What will be the output**`) or a rule above the code starts the
    question there instead: such files put a rule or a "scroll to top" link, not a
    heading, between their questions.
    """
    doc = reading.doc
    block = doc.block_at(index)
    position = block.index if block is not None else len(doc.blocks)
    for previous in reversed(doc.blocks[:position]):
        if not reading.free(previous.start, index):
            break
        if previous.type == "heading":
            title = _NUMBER.sub("", previous.content)
            rest = lines_text(doc.lines[previous.end : index])
            return (f"{title}\n\n{rest}" if rest else title), previous.start
        bold = bold_line(doc.lines[previous.start]) if previous.type == "paragraph" else None
        if bold is not None:
            title = _NUMBER.sub("", bold)
            rest = lines_text(doc.lines[previous.start + 1 : index])
            return (f"{title}\n{rest}" if rest else title), previous.start
        if previous.type == "hr":
            rest = lines_text(doc.lines[previous.end : index])
            return (rest, first_text_line(doc.lines[previous.end : index], previous.end)) if rest else None
    end = index
    while end > 0 and not doc.lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and doc.lines[start - 1].strip() and doc.layout.kinds[start - 1] is LineKind.TEXT:
        start -= 1
    if start == end or not reading.free(start, end):
        return None
    question = lines_text([_NUMBER.sub("", _LEAD.sub("", line, count=1)) for line in doc.lines[start:end]])
    return (question, start) if question else None


def may_claim(text: str) -> bool:
    """False when the file has no `<details>`: then this pattern claims nothing.

    One literal search: faster than `"<d" in text` on a big file.
    """
    return _ANY_DETAILS.search(text) is not None
