"""The blocks of the shapes fields are made of, without markdown-it's block parser.

A note's field is nearly always a few of these, at the left margin: paragraphs of text,
`$$`/`\\[` display math, a fenced code block, a tight list of one-paragraph items
(bullets or numbers). markdown-it finds them by trying each block rule at each line,
and inside a list by parsing every item as a document of its own: half of a field's
parse. `field_blocks` reads these shapes line by line into small records, of which
`block_tokens` makes markdown-it's tokens (types, tags, maps, levels, markup, info,
hidden paragraphs of tight lists) and `rendering/direct.py` the HTML; anything
else (quotes, headings, tables, raw HTML, indented code, nested or loose lists, tabs in
a list, an unclosed fence...) gives None, and the caller parses the text as before.

Why the tokens are the same: a line is taken as paragraph text only when it is `_inert`,
when its first character (past its indentation) can start no block rule but the
paragraph's, which then neither start a block at it nor end a paragraph before it
(every block rule looks at that character first; the setext underline and the table's
delimiter row are such lines too). Any other line must be one of the blocks read here,
checked as their rules check them, or the text goes to the parser.
tests/reading/test_parse_blocks.py compares the tokens with markdown-it's own on every
field of the shipped and benchmark notes and on random texts made around each way out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.common.utils import mdTrim
from markdown_it.token import Token

from exporter.reading.mathdetect import BLOCK

_ITEM = re.compile(r"(?:([*+-])|([0-9]{1,9})([.)])) {1,4}(?=[^ \t])")
"""A list item this module reads: its marker, one to four spaces, then its text (its end: the text's start)."""
_MARKER = re.compile(r"(?:[*+-]|[0-9]{1,9}[.)])(?:[ \t]|$)")
"""Any list item's marker, as markdown-it's list rule reads one at a line's start."""
_BLOCK_STARTS = frozenset("`~$\\>*-_+0123456789<#[=")
"""The characters a block other than a paragraph can start with (or a setext underline be made of), past
the indentation; a table's `|` anywhere in a line that can start one sends the text to the parser."""


def _inert(text: str) -> bool:
    """Whether a line whose text (past its indentation) is `text` starts no block and ends no paragraph.

    Each block rule says no at once to a line not starting as it needs: a fence needs
    three backticks or tildes, display math `$$` or `\\[`, a rule a line of one of
    `*-_` and blanks, a list item a marker and a blank (or the line's end).
    """
    first = text[0]
    if first.isalpha() or first not in _BLOCK_STARTS:
        return True
    if first in "*-_+":
        if first != "_" and text[1:2] in ("", " ", "\t"):
            return False  # a bullet
        return first == "+" or bool(text.strip(first + " \t"))  # else a thematic break
    if first.isdigit():
        return _MARKER.match(text) is None
    if first == "$":
        return not text.startswith("$$")
    if first == "\\":
        return not text.startswith("\\[")
    if first in "`~":
        return not text.startswith(first * 3)
    return False


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph at the margin: its lines [start, end) and its text (markdown-it's inline content)."""

    start: int
    end: int
    content: str


@dataclass(frozen=True, slots=True)
class MathBlock:
    """Display math on lines [start, end), opened by `opener` (`$$` or `\\[`)."""

    start: int
    end: int
    tex: str
    opener: str


@dataclass(frozen=True, slots=True)
class Fence:
    """A fenced code block on lines [start, end): its markers, info string and code."""

    start: int
    end: int
    markup: str
    info: str
    code: str


@dataclass(frozen=True, slots=True)
class Item:
    """A list item: its paragraph's lines [start, paragraph_end) and text; the item runs to `end`
    (past the blank lines after it); `number` is an ordered item's own number as written."""

    start: int
    paragraph_end: int
    end: int
    content: str
    number: str


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A tight list of one-paragraph items on lines [start, end): `marker` is its bullet or its
    numbers' delimiter, `first` an ordered list's first number (None: a bullet list)."""

    start: int
    end: int
    marker: str
    first: int | None
    items: tuple[Item, ...]


Block = Paragraph | MathBlock | Fence | ListBlock


def field_blocks(src: str) -> list[Block] | None:
    """The blocks of `src` (normalised) if it is made only of the shapes read here, else None."""
    lines = src.split("\n")
    if not lines[-1].strip(" \t"):
        lines.pop()  # as markdown-it's line table: a blank last line without its newline is no line
    reader = _Reader(lines)
    try:
        reader.blocks()
    except _Unsure:
        return None
    return reader.found


def block_tokens(src: str) -> list[Token] | None:
    """markdown-it's block tokens of `src` (normalised) if it is made only of the shapes read here, else None."""
    blocks = field_blocks(src)
    if blocks is None:
        return None
    tokens: list[Token] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            _paragraph(tokens, block.start, block.end, 0, block.content, False)
        elif isinstance(block, MathBlock):
            tokens.append(Token(BLOCK, "math", 0, map=[block.start, block.end], content=block.tex,
                                markup=block.opener, block=True))
        elif isinstance(block, Fence):
            tokens.append(Token("fence", "code", 0, map=[block.start, block.end], content=block.code,
                                markup=block.markup, info=block.info, block=True))
        else:
            ordered = block.first is not None
            kind, tag = ("ordered_list", "ol") if ordered else ("bullet_list", "ul")
            opening = Token(f"{kind}_open", tag, 1, map=[block.start, block.end], markup=block.marker, block=True)
            if block.first is not None and block.first != 1:
                opening.attrs = {"start": block.first}
            tokens.append(opening)
            for item in block.items:
                tokens.append(Token("list_item_open", "li", 1, map=[item.start, item.end], level=1,
                                    markup=block.marker, info=item.number, block=True))
                _paragraph(tokens, item.start, item.paragraph_end, 2, item.content, True)
                tokens.append(Token("list_item_close", "li", -1, level=1, markup=block.marker, block=True))
            tokens.append(Token(f"{kind}_close", tag, -1, markup=block.marker, block=True))
    return tokens


def _paragraph(tokens: list[Token], start: int, end: int, level: int, content: str, hidden: bool) -> None:
    tokens += (
        Token("paragraph_open", "p", 1, map=[start, end], level=level, block=True, hidden=hidden),
        Token("inline", "", 0, map=[start, end], level=level + 1, content=content, children=[], block=True),
        Token("paragraph_close", "p", -1, level=level, block=True, hidden=hidden),
    )


class _Unsure(Exception):
    """The text holds something this module does not read: it goes to markdown-it's parser."""


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.count = len(lines)
        self.found: list[Block] = []

    def blocks(self) -> None:
        lines, count = self.lines, self.count
        line = 0
        while True:
            while line < count and not lines[line].strip(" \t"):
                line += 1
            if line >= count:
                return
            text = lines[line]
            if text[0] in " \t" or "|" in text:
                raise _Unsure  # indented, or perhaps a table's header
            if _inert(text):
                end = self.paragraph_end(line, False)
                self.found.append(Paragraph(line, end, mdTrim("\n".join(lines[line:end]))))
                line = end
                continue
            math = self.display_math(line)
            if math is not None:
                line = self.math_block(line, *math)
                continue
            fence = _fence_opener(text)
            if fence is not None:
                line = self.fence(line, *fence)
                continue
            if _ITEM.match(text):
                line = self.list(line)
                continue
            raise _Unsure

    def paragraph_end(self, start: int, in_list: bool) -> int:
        """The line a paragraph starting at `start` stops at: a blank line, a block that interrupts it, the end."""
        lines = self.lines
        line = start + 1
        while line < self.count:
            text = lines[line]
            stripped = text.lstrip(" \t")
            if not stripped:
                return line
            if "|" in text:
                raise _Unsure  # perhaps a table's header
            if _inert(stripped):
                if in_list and "\t" in text[: len(text) - len(stripped)]:
                    raise _Unsure  # a tab in an item's line: its columns are not worked out here
                line += 1
                continue
            if len(stripped) != len(text) or not self.interrupts(line, in_list):
                raise _Unsure
            return line
        return line

    def interrupts(self, line: int, in_list: bool) -> bool:
        """Whether a block read here starts at `line` (not inert, at the margin) and ends the paragraph above it."""
        text = self.lines[line]
        if self.display_math(line) is not None or _fence_opener(text) is not None:
            return True
        item = _ITEM.match(text)
        if item is None:
            if in_list and _MARKER.match(text):
                return True  # any marker ends an item's paragraph; the list then decides (and gives up)
            return False
        # Out of a list, an empty item or a number other than 1 cannot interrupt a paragraph.
        return in_list or item.group(1) is not None or int(item.group(2)) == 1

    def display_math(self, line: int) -> tuple[int, str, str] | None:
        """`mathdetect.display_block` at the margin: (last line, TeX, opener) of display math opening `line`."""
        lines = self.lines
        first = lines[line]
        if first.startswith("$$"):
            opener, closer = "$$", "$$"
        elif first.startswith("\\["):
            opener, closer = "\\[", "\\]"
        else:
            return None
        rest = first[2:]
        at = rest.find(closer)
        if at >= 0:
            if rest[at + 2 :].strip():
                return None
            body, last = rest[:at], line
        else:
            for last in range(line + 1, self.count):
                text = lines[last].lstrip(" \t")
                if not text.strip():
                    return None
                at = text.find(closer)
                if at >= 0:
                    if text[at + 2 :].strip():
                        return None
                    body = rest + "\n" + "".join(inner + "\n" for inner in lines[line + 1 : last]) + text[:at]
                    break
            else:
                return None
        if not body.strip():
            return None
        return last, body, opener

    def math_block(self, line: int, last: int, body: str, opener: str) -> int:
        self.found.append(MathBlock(line, last + 1, body, opener))
        return last + 1

    def fence(self, line: int, markup: str, info: str) -> int:
        """A fence closed by a line of at least as many of its markers (indented less than 4 columns)."""
        lines = self.lines
        marker = markup[0]
        for end in range(line + 1, self.count):
            text = lines[end]
            stripped = text.lstrip(" \t")
            if not stripped.startswith(marker) or _columns(text[: len(text) - len(stripped)]) >= 4:
                continue
            run = len(stripped) - len(stripped.lstrip(marker))
            if run >= len(markup) and not stripped[run:].strip(" \t"):
                self.found.append(Fence(line, end + 1, markup, info, "".join(inner + "\n" for inner in lines[line + 1 : end])))
                return end + 1
        raise _Unsure  # an unclosed fence runs to the end of the text

    def list(self, start: int) -> int:
        """A tight list of one-paragraph items, each starting at the margin; returns the line after it."""
        lines, count = self.lines, self.count
        first = _ITEM.match(lines[start])
        assert first is not None
        bullet, number, delimiter = first.groups()
        marker = bullet or delimiter
        items: list[Item] = []
        line = start
        while True:
            item = _ITEM.match(lines[line])
            if item is None or (item.group(1) or item.group(3)) != marker or "|" in lines[line]:
                raise _Unsure
            content_start = item.end()
            if not _inert(lines[line][content_start:]):
                raise _Unsure
            end = self.paragraph_end(line, True)
            parts = [lines[line][content_start:]]
            for lazy in lines[line + 1 : end]:
                indent = len(lazy) - len(lazy.lstrip(" "))
                parts.append(lazy[min(indent, content_start) :])
            after = end
            while after < count and not lines[after].strip(" \t"):
                after += 1
            items.append(Item(line, end, after, mdTrim("\n".join(parts)), item.group(2) or ""))
            if after >= count:
                break
            text = lines[after]
            if text[0] in " \t" or (after > end and _MARKER.match(text)):
                raise _Unsure  # more of the item, or a loose list
            if (after > end or self.display_math(after) is not None or _fence_opener(text) is not None
                    or not _MARKER.match(text)):
                break
            line = after
        self.found.append(ListBlock(start, after, marker, None if bullet else int(number), tuple(items)))
        return after


def _fence_opener(text: str) -> tuple[str, str] | None:
    """(markup, info) of a fence opening at the margin, as markdown-it's fence rule reads one."""
    marker = text[:1]
    if marker not in ("`", "~") or not text.startswith(marker * 3):
        return None
    run = len(text) - len(text.lstrip(marker))
    info = text[run:]
    if marker == "`" and "`" in info:
        return None
    return text[:run], info


def _columns(indent: str) -> int:
    """The columns blanks take, tabs to the next multiple of 4 (markdown-it's `sCount`)."""
    columns = 0
    for character in indent:
        columns += 4 - columns % 4 if character == "\t" else 1
    return columns
