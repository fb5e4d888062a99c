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

from exporter.reading.layout import matching_lines

_CONTAINERS = r"(?:[ \t]*(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t])))*[ \t]*"
"""What may stand before a block's first character: indentation, `>` and list markers."""
_OPENERS = r"(?:```|~~~|\$\$|\\\[|<)"
"""What may open a fence, a math block or an HTML block."""
_CANDIDATE = re.compile(
    r"^(?:" + _CONTAINERS + _OPENERS
    + r"|(?=[ #=*_-]) {0,3}(?:#|=|-[ \t]*(?:-|$)|[*_][ \t]*[*_]))",  # a heading, a setext underline, a rule
    re.MULTILINE,
)
_OPENER = re.compile(r"^" + _CONTAINERS + _OPENERS)
_UNDERLINE = re.compile(r"^(?:=+|-+)[ \t]*$")
_TABLE = re.compile(r"\|[^\n]*\n[ \t]*[|:-][|:\- \t]*$", re.MULTILINE)
"""A line with `|` over a line that may be a table's delimiter row: a table may start there."""
_MATH_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"))

def scan_outline(text: str, lines: list[str]) -> list[tuple[int, Token | tuple[Token, Token, Token]]] | None:
    """The top-level headings and rules of `text` (split into `lines`) as markdown-it would tokenise them.

    Each entry is (0-based line, the `hr` token or the heading's three tokens), in order;
    None when the text holds something only the block pass reads exactly (see the module docstring).
    """
    if "\r" in text or "\0" in text or ("|" in text and _TABLE.search(text) is not None):
        return None
    found: list[tuple[int, Token | tuple[Token, Token, Token]]] = []
    closed = -1  # the last line that ended a block for sure (a heading, a rule, a fence or math block's last line)
    skip_until = 0  # lines before this are inside a fence or math block already read
    for index in matching_lines(_CANDIDATE, text):
        if index < skip_until:
            continue
        line = lines[index]
        first = line[:1]
        if first in ("`", "~"):
            end = _fence_end(lines, index)
            if end is not None:
                skip_until, closed = end, end - 1
                continue
        elif first in ("$", "\\"):
            end = _math_end(lines, index)
            if end is not None:
                skip_until, closed = end, end - 1
                continue
        if _OPENER.match(line):
            if first in ("`", "~", "$", "\\"):
                continue  # no fence or math block after all: paragraph text, which interrupts nothing
            return None  # an HTML block, or an opener behind indentation or a container's marker
        if first in (" ", "\t"):
            stripped = line.lstrip(" \t")
            if _columns(line) < 4 and (_heading(stripped, index) is not None or _is_rule(stripped)
                                       or _UNDERLINE.match(stripped)):
                return None  # a heading, rule or underline indented by 1-3 columns: maybe inside a list item
            continue
        if first == "#":
            heading = _heading(line, index)
            if heading is not None:
                found.append((index, heading))
                closed = index
            continue
        if _UNDERLINE.match(line) and index > 0 and closed != index - 1 and lines[index - 1].strip(" \t"):
            return None  # right under text: a setext heading's underline (or a rule after a list item...)
        if _is_rule(line):
            found.append((index, _rule(line, index)))
            closed = index
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
    first = lines[start]
    for opener, closer in _MATH_DELIMITERS:
        if first.startswith(opener):
            break
    else:
        return None
    rest = first[len(opener) :]
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
            body = rest + "\n" + "\n".join(lines[start + 1 : index]) + "\n" + text[:at]
            return index + 1 if body.strip() else None
    return None


def _is_rule(line: str) -> bool:
    """markdown-it's `hr` test on a line without indentation: 3 or more `*`, `-` or `_`, spaces and tabs between."""
    marker = line[:1]
    return marker in ("*", "-", "_") and line.count(marker) >= 3 and not line.replace(marker, "").strip(" \t")


def _rule(line: str, index: int) -> Token:
    """markdown-it's `hr` token (its markup holds one marker more than the line: its count starts at 1, then +1)."""
    return Token("hr", "hr", 0, map=[index, index + 1], markup=line[0] * (line.count(line[0]) + 1), block=True)


def _heading(line: str, index: int) -> tuple[Token, Token, Token] | None:
    """markdown-it's ATX heading tokens for a line opening with `#` at column 0, None if it is no heading."""
    level = len(line) - len(line.lstrip("#"))
    if level == 0 or level > 6 or (level < len(line) and line[level] not in " \t"):
        return None
    end = len(line)
    while end > level and line[end - 1] in " \t":
        end -= 1
    tmp = end
    while tmp > level and line[tmp - 1] == "#":
        tmp -= 1
    if tmp > level and line[tmp - 1] in " \t":
        end = tmp
    tag, markup = f"h{level}", "#" * level
    opening = Token("heading_open", tag, 1, map=[index, index + 1], markup=markup, block=True)
    inline = Token("inline", "", 0, map=[index, index + 1], content=mdTrim(line[level:end]), block=True, level=1,
                   children=[])
    closing = Token("heading_close", tag, -1, markup=markup, block=True)
    return opening, inline, closing
