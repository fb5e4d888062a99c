"""A file's top-level headings and rules read from its lines, without markdown-it's block pass.

Question headings, section ends, heading trails and rules need only where the
top-level headings and thematic breaks are; the block pass that finds them also
tokenises every list, paragraph and code block of the file (most of the cost of
reading a file of question headings). For files made of the usual constructs the
lines say it exactly: a line opening with `#` at column 0 is a top-level heading
and a rule line at column 0 after a blank line a top-level rule, unless it is
inside a fenced code block or a `$$`/`\\[` math block, which a line scan follows
exactly when their openers stand at column 0 (CommonMark: headings, rules,
fences and math blocks interrupt paragraphs, lists and quotes; a container only
holds lines indented past its marker).

`scan_outline` returns None, and the caller runs the block pass, as soon as the
file holds anything whose reading depends on context the scan does not follow:
a heading, rule, fence or math opener indented by 1 to 3 columns or behind a
`>` or list marker, a line that may open an HTML block, a possible table
delimiter row under a line with `|`, a `-`/`=` line right under text (a setext
underline, or not), a carriage return or NUL. `tests/reading/test_outline.py`
compares it with the block pass on every file of the fixtures, the shipped
sources, the benchmark corpus and random mixed-style files.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import mdTrim
from markdown_it.token import Token

from exporter.reading.layout import _behind_newline
from exporter.reading.mathdetect import display_opening

_CONTAINERS = r"(?:[ \t]*(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t])))*[ \t]*"
"""What may stand before a block's first character: indentation, `>` and list markers."""
_OPENERS = r"(?:```|~~~|\$\$|\\\[|<)"
"""What may open a fence, a math block or an HTML block."""
_CANDIDATE = re.compile(
    r"^(?=[ \t>*+\-\d`~$\\<#=_])(?:" + _CONTAINERS + _OPENERS  # the lookahead turns most lines down at once
    + r"| {0,3}(?:#|=|-[ \t]*(?:-|$)|([*_])[ \t]*\1[ \t]*\1))",  # a heading, a setext underline, a rule
    re.MULTILINE,
)
_OPENER = re.compile(r"^" + _CONTAINERS + _OPENERS)
_UNDERLINE = re.compile(r"^(?:=+|-+)[ \t]*$")
_TABLE = re.compile(r"^[^\n|]*+\|[^\n]*+\n[ \t]*+[|:-][|:\- \t]*+$", re.MULTILINE)
"""A line with `|` over a line that may be a table's delimiter row: a table may start there."""

def scan_outline(text: str, lines: list[str]) -> list[tuple[int, int]] | None:
    """The top-level headings and rules of `text` (split into `lines`) as markdown-it would find them.

    Each entry is (0-based line, level): 1 to 6 for a heading, 0 for a rule (`line_tokens` makes
    their tokens); None when the text holds something only the block pass reads exactly (see the
    module docstring).
    """
    if "\r" in text or "\0" in text or ("|" in text and _TABLE.search(text) is not None):
        return None
    found: list[tuple[int, int]] = []
    closed = -1  # the last line that ended a block for sure (a heading, a rule, a fence or math block's last line)
    skip_until = 0  # lines before this are inside a fence or math block already read
    index, position = 0, 0
    padded = "\n" + text  # every line, the first too, follows a newline: where the scan looks
    for match in _behind_newline(_CANDIDATE).finditer(padded):
        index += padded.count("\n", position, match.start())
        position = match.start()
        if index < skip_until:
            continue
        line = lines[index]
        first = line[:1]
        if first == "#":
            level = heading_level(line)
            if level:
                found.append((index, level))
                closed = index
            continue
        if first in ("`", "~"):
            end = _fence_end(lines, index)
            if end is not None:
                skip_until, closed = end, end - 1
            continue  # else no fence after all: paragraph text, which interrupts nothing
        if first in ("$", "\\"):
            end = _math_end(lines, index)
            if end is not None:
                skip_until, closed = end, end - 1
            continue
        if first in ("-", "*", "_", "="):
            if first in ("-", "*") and _OPENER.match(line):
                return None  # a fence, math or HTML block in a list item
            if _UNDERLINE.match(line) and index > 0 and closed != index - 1 and lines[index - 1].strip(" \t"):
                return None  # right under text: a setext heading's underline (or a rule after a list item...)
            if _is_rule(line):
                found.append((index, 0))
                closed = index
            continue
        if first in (" ", "\t"):
            stripped = line.lstrip(" \t")
            if _OPENER.match(line) or _columns(line) < 4 and (
                    heading_level(stripped) or _is_rule(stripped) or _UNDERLINE.match(stripped)):
                return None  # a heading, rule, underline or opener indented by 1-3 columns: maybe in a list item
            continue
        return None  # an HTML block, or a fence, math or HTML block behind a quote's or list's marker
    return found


def _columns(line: str) -> int:
    """Columns of the leading spaces and tabs (a tab goes to the next multiple of 4), as markdown-it counts them."""
    columns = 0
    for char in line:
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        else:
            break
    return columns


def _fence_end(lines: list[str], start: int) -> int | None:
    """The line after the fenced code block opening at column 0 of `start`, None if none opens there."""
    line = lines[start]
    marker = line[0]
    length = len(line) - len(line.lstrip(marker))
    if length < 3 or (marker == "`" and "`" in line[length:]):
        return None
    for index in range(start + 1, len(lines)):
        candidate = lines[index]
        stripped = candidate.lstrip(" \t")
        if stripped.startswith(marker * length) and _columns(candidate) < 4 \
                and not stripped.lstrip(marker).strip(" \t"):
            return index + 1
    return len(lines)  # never closed: it runs to the end of the file


def _math_end(lines: list[str], start: int) -> int | None:
    """The line after the math block opening at column 0 of `start` (`mathdetect.display_block`'s rule), or None."""
    opening = display_opening(lines[start])
    if opening is None:
        return None
    _, closer, rest = opening
    if closer in rest:
        at = rest.find(closer)
        if rest[at + len(closer) :].strip():
            return None
        return start + 1 if rest[:at].strip() else None
    for index in range(start + 1, len(lines)):
        text = lines[index].lstrip(" \t")
        if not text.strip():
            return None
        if closer in text:
            at = text.find(closer)
            if text[at + len(closer) :].strip():
                return None
            # The body holds the lines between (none of them blank) and what stands by the delimiters.
            return index + 1 if index > start + 1 or rest.strip() or text[:at].strip() else None
    return None


def _is_rule(line: str) -> bool:
    """markdown-it's `hr` test on a line without indentation: 3 or more `*`, `-` or `_`, spaces and tabs between."""
    marker = line[:1]
    return marker in ("*", "-", "_") and line.count(marker) >= 3 and not line.replace(marker, "").strip(" \t")


def heading_level(line: str) -> int:
    """1 to 6 when markdown-it reads the line (opening with `#` at column 0) as an ATX heading, else 0."""
    level = len(line) - len(line.lstrip("#"))
    return level if 0 < level <= 6 and (level == len(line) or line[level] in " \t") else 0


def heading_text(line: str, level: int) -> str:
    """The text of an ATX heading line of `level`: markdown-it's inline token content (closing `#`s cut)."""
    end = len(line)
    while end > level and line[end - 1] in " \t":
        end -= 1
    tmp = end
    while tmp > level and line[tmp - 1] == "#":
        tmp -= 1
    if tmp > level and line[tmp - 1] in " \t":
        end = tmp
    return mdTrim(line[level:end])


def line_tokens(line: str, index: int, level: int) -> list[Token]:
    """markdown-it's tokens for line `index` of the outline: a heading's three, or a rule's `hr`.

    The `hr` markup holds one marker more than the line (markdown-it counts from 1, then adds 1).
    """
    if not level:
        return [Token("hr", "hr", 0, map=[index, index + 1], markup=line[0] * (line.count(line[0]) + 1), block=True)]
    tag, markup = f"h{level}", "#" * level
    return [Token("heading_open", tag, 1, map=[index, index + 1], markup=markup, block=True),
            Token("inline", "", 0, map=[index, index + 1], content=heading_text(line, level), block=True, level=1,
                  children=[]),
            Token("heading_close", tag, -1, markup=markup, block=True)]
