"""A line-level view of a parsed file, for the card patterns that are defined by lines.

Obsidian cards (`front::back`, a `?` line), cloze paragraphs and term lists are
written line by line, and a card ends at a blank line. Blank lines inside a fenced
code block or a `$$` formula do not end anything, and `?`, `::` or `{{c1::` inside
them are code and TeX, not card syntax; the token tree knows where those blocks are,
so the view takes their line ranges from it instead of guessing from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from markdown_it.token import Token

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.document import Document

_VERBATIM = frozenset({"fence", "code_block", "math_block", "math_block_label", "html_block"})
_HEADING_START = re.compile(r"\s{0,3}(#{1,6})(?=\s)")
_CODE_SPAN = re.compile(r"(`{1,8})(?:.+?)\1")
_LONG_TICKS = "`" * 9
"""Lines with a run this long take `_code_span_ranges` (linear). `_CODE_SPAN` (written
`(`+)(?:.+?)\\1` before, cubic on a long run of backticks) is kept for every other line,
where runs are at most 8 long, so `{1,8}` changes nothing there."""
_LIST_MARKER = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE_MARKER = re.compile(r"^\s*(?:>\s?)+")


@dataclass(frozen=True)
class Card:
    """What a pattern found: a note's kind and fields, and the lines it takes (0-based, end excluded)."""

    start: int
    end: int
    kind: NoteKind
    question: str
    answer: str | None
    question_line: int
    """0-based line where the question starts."""
    answer_line: int | None = None
    """0-based line where the answer's text starts; None when the card has no answer text."""
    deck: str | None = None
    """A deck the source names for this card (an Obsidian `#flashcards/a/b` tag), None for the file's."""


@dataclass(frozen=True)
class LineView:
    """The lines of a file and, from its token tree, which of them are verbatim blocks."""

    lines: tuple[str, ...]
    verbatim: frozenset[int] = field(default_factory=frozenset)
    """Lines inside fenced or indented code, `$$` math and HTML blocks."""
    setext: dict[int, tuple[int, str]] = field(default_factory=dict)
    """(level, text) of the lines of underlined headings (`Glossary` over `-----`), both lines."""

    @classmethod
    def of(cls, text: str, tokens: Sequence[Token]) -> LineView:
        lines = tuple(text.split("\n"))
        spans = sorted({(t.map[0], t.map[1]) for t in _all_tokens(tokens) if t.type in _VERBATIM and t.map})
        inside = frozenset(n for first, end in spans for n in range(first, min(end, len(lines))))
        setext: dict[int, tuple[int, str]] = {}
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and token.markup in ("=", "-") and token.map and index + 1 < len(tokens):
                for number in range(*token.map):
                    setext[number] = (int(token.tag[1]), tokens[index + 1].content.strip())
        return cls(lines, inside, setext)

    def is_blank(self, number: int) -> bool:
        return number not in self.verbatim and not self.lines[number].strip()

    def groups(self) -> Iterator[tuple[int, int]]:
        """(first, end) of each run of lines not separated by a blank line; verbatim blocks never split one."""
        start: int | None = None
        for number in range(len(self.lines)):
            if self.is_blank(number) or self.heading(number) is not None:
                if start is not None:
                    yield start, number
                start = None
            elif start is None:
                start = number
        if start is not None:
            yield start, len(self.lines)

    def heading(self, number: int) -> tuple[int, str] | None:
        """(level, text) when line `number` is a heading (or an underlined heading's line) outside verbatim blocks."""
        if number in self.setext:
            return self.setext[number]
        if number in self.verbatim:
            return None
        return atx_heading(self.lines[number])

    def text(self, first: int, end: int) -> str:
        """Lines `first` to `end` (excluded) as written, outer blank lines dropped."""
        return "\n".join(self.lines[first:end]).strip("\n")

    def prose(self, number: int) -> str:
        """Line `number` with code spans blanked out: what card syntax is looked for in."""
        if number in self.verbatim:
            return ""
        line = self.lines[number]
        if _LONG_TICKS not in line:
            return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        blanked = list(line)
        for start, end in _code_span_ranges(line):
            blanked[start:end] = " " * (end - start)
        return "".join(blanked)


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a `# heading` line: what `^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$` matches, in linear time.

    That pattern took 44 s on `# a` followed by 3,000 spaces (its three quantifiers over
    spaces split the run every possible way); strips do the same work once.
    """
    start = _HEADING_START.match(line)
    if start is None:
        return None
    text = line[start.end() :].strip()
    return len(start.group(1)), text.rstrip("#").rstrip()


def _code_span_ranges(line: str) -> list[tuple[int, int]]:
    """(start, end) of the code spans of a line: a run of backticks up to the next run as long (CommonMark)."""
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", line)]
    later: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        later.setdefault(end - start, []).append(index)
    for indexes in later.values():
        indexes.reverse()  # pop() gives the next run of that length
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = later[end - start]
        while same and same[-1] <= index:
            same.pop()
        if not same:
            index += 1
            continue
        closer = same.pop()
        spans.append((start, runs[closer][1]))
        index = closer + 1
    return spans


def _all_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _all_tokens(token.children)


def strip_item_marker(line: str) -> str:
    """A line without the list bullet or quote marks it starts with."""
    return _QUOTE_MARKER.sub("", _LIST_MARKER.sub("", line, count=1), count=1)


def item_text(view: LineView, first: int, end: int) -> str:
    """A list item's text without its bullet, its continuation lines dedented to match."""
    head = view.lines[first]
    marker = _LIST_MARKER.match(head)
    width = marker.end() if marker else 0
    rest = [line[width:] if line[:width].strip() == "" else line.lstrip() for line in view.lines[first + 1 : end]]
    return "\n".join([head[width:], *rest]).strip("\n")


@lru_cache(maxsize=4)
def view_of(doc: Document) -> LineView:
    """The line view of a parsed file, made once for all the patterns that read lines."""
    return LineView.of("\n".join(doc.lines), [token for block in doc.blocks for token in block.tokens])


def claims(reading: Reading, cards: Iterable[Card], syntax: Iterable[tuple[int, int]] = ()) -> Iterator[Claim]:
    """A claim per card whose lines are still free, in source order; `syntax` lines claimed with no note."""
    found: list[tuple[int, Claim]] = []
    doc = reading.doc
    for card in cards:
        block = doc.block_at(card.question_line)
        # A card starting at its own heading sits under that heading's parents, as question headings do.
        context = reading.context_of(doc.parents_of(block)) if block and block.type == "heading" else None
        note = reading.note(card.kind, card.question, card.answer, card.question_line, card.answer_line,
                            deck=card.deck, context=context)
        found.append((card.start, Claim.of(card.start, card.end, note)))
    found += [(start, Claim.of(start, end)) for start, end in syntax]
    for _, claim in sorted(found, key=lambda item: item[0]):
        if all(reading.free(start, end) for start, end in claim.ranges):
            yield claim


_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+")


def list_items(view: LineView, first: int, end: int) -> list[tuple[int, int]]:
    """(first, end) of each top-level item when lines `first` to `end` are a list, else []."""
    match = _ITEM.match(view.lines[first]) if first not in view.verbatim else None
    if match is None:
        return []
    indent = len(match.group(1))
    starts = [n for n in range(first, end)
              if n not in view.verbatim and (m := _ITEM.match(view.lines[n])) and len(m.group(1)) == indent]
    return list(zip(starts, [*starts[1:], end]))
