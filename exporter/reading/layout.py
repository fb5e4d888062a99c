"""What every line of a file is: text, HTML comment or code fence, computed once per file.

Patterns that read labels (`Question :`, `**Réponse :**`) work on lines inside
blocks, because CommonMark merges such lines into paragraphs. They still have to
know which lines are inside an HTML comment (never a question) or a code fence
(always code).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


_FENCE_OPEN = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_COMMENT_OPEN = "<!--"
_COMMENT_CLOSE = "-->"
_CANDIDATE = re.compile(r"^[^\S\n]*[<`~]", re.MULTILINE)


class LineKind(str, Enum):
    TEXT = "text"
    COMMENT = "comment"  # any line of an HTML comment, its opening and closing lines included
    FENCE = "fence"  # any line of a fenced code block, its fence lines included


@dataclass(frozen=True)
class Comment:
    """One HTML comment that opens at the start of a line."""

    start: int
    """0-based index of its first line."""
    end: int
    """0-based index of its last line."""
    body: str
    """The text between `<!--` and `-->`, stripped."""


@dataclass(frozen=True)
class Layout:
    """What every line of a file is, computed once per file."""

    kinds: tuple[LineKind, ...]
    comments: tuple[Comment, ...]
    unclosed: tuple[tuple[int, str], ...] = ()
    """(0-based line, "comment" or "code fence") for each block that runs to the end of the file."""


def scan(lines: list[str]) -> Layout:
    """Classify each line as text, HTML comment or code fence.

    A fence inside a comment is comment and a comment inside a fence is code,
    as CommonMark reads them. Unclosed blocks run to the end of the file (again
    as CommonMark does) and are listed so readers can say so. Only the lines
    that open with `<`, a backtick or `~` are looked at one by one.
    """
    kinds = [LineKind.TEXT] * len(lines)
    comments: list[Comment] = []
    unclosed: list[tuple[int, str]] = []
    index = 0
    candidates = _candidates(lines)
    for position, candidate in enumerate(candidates):
        if candidate < index:
            continue  # inside the comment or fence just read
        line = lines[candidate]
        stripped = line.lstrip()
        fence = _FENCE_OPEN.match(line)
        if stripped.startswith(_COMMENT_OPEN):
            end, body = _comment_end(lines, candidate)
            if end is None:
                unclosed.append((candidate, "HTML comment"))
                end = len(lines) - 1
            comments.append(Comment(candidate, end, body))
            kinds[candidate : end + 1] = [LineKind.COMMENT] * (end - candidate + 1)
            index = end + 1
        elif fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            end = _fence_end(lines, candidates, position, fence.group(1))
            if end is None:
                unclosed.append((candidate, "code fence"))
                end = len(lines) - 1
            kinds[candidate : end + 1] = [LineKind.FENCE] * (end - candidate + 1)
            index = end + 1
    return Layout(tuple(kinds), tuple(comments), tuple(unclosed))


def _candidates(lines: list[str]) -> list[int]:
    """0-based indexes of the lines whose first non-blank character could open a comment or a fence."""
    return matching_lines(_CANDIDATE, "\n".join(lines))


def matching_lines(pattern: re.Pattern[str], text: str) -> list[int]:
    """0-based indexes of the lines where a MULTILINE `^...` pattern matches, in order, each once.

    One regex pass over the text instead of one `match` per line: patterns look at
    the few lines that can hold their syntax. The pattern must not match a newline
    (it reads within one line), so its matches are the same behind a newline.
    """
    return list(line_matches(pattern, text))


def line_matches(pattern: re.Pattern[str], text: str) -> dict[int, re.Match[str]]:
    """The match on each line where a MULTILINE `^...` pattern matches, by 0-based line, in order.

    Its groups are those `pattern.match(line)` gives (the pattern reads within one
    line), so a reader that needs them need not match the line again; its positions
    are in `match.string`, the text behind a newline: offsets within the match are
    `match.start(n) - match.start()`.
    """
    found: dict[int, re.Match[str]] = {}
    padded = "\n" + text  # every line, the first too, now follows a newline: where the scan stops
    count = padded.count
    line, position = 0, 0
    for match in _behind_newline(pattern).finditer(padded):
        start = match.start()  # the newline before the match's line
        line += count("\n", position, start)
        position = start
        found[line] = match  # each match opens with its own newline: one per line, lines in order
    return found


def any_line(pattern: re.Pattern[str], text: str) -> bool:
    """True when a MULTILINE `^...` pattern that reads within one line matches at the start of some line."""
    return pattern.match(text) is not None or _behind_newline(pattern).search(text) is not None


@functools.lru_cache(maxsize=64)
def _behind_newline(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` preceded by a newline: the same lines, found faster.

    Python's regex engine tries a `^` pattern at every character of the text; a
    pattern that opens with a literal newline is only tried where a newline is
    (measured on a 3.3 MB file: 25 ms instead of 34 ms for a label pattern,
    7 ms instead of 18 ms for the heading hint).
    """
    return re.compile("\n(?:" + pattern.pattern + ")", pattern.flags)


def _comment_end(lines: Sequence[str], start: int) -> tuple[int | None, str]:
    first = lines[start]
    after_open = first.index(_COMMENT_OPEN) + len(_COMMENT_OPEN)
    parts = []
    for index in range(start, len(lines)):
        text = lines[index][after_open:] if index == start else lines[index]
        close = text.find(_COMMENT_CLOSE)
        if close >= 0:
            parts.append(text[:close])
            return index, "\n".join(parts).strip()
        parts.append(text)
    return None, "\n".join(parts).strip()


def _fence_end(lines: Sequence[str], candidates: list[int], position: int, opener: str) -> int | None:
    """The line closing the fence that opens at `candidates[position]`, None if it is never closed.

    Only candidate lines are tried: a closing fence opens with blanks then a backtick or `~`.
    """
    closing = _closing_fence(opener[0], len(opener))
    for index in range(position + 1, len(candidates)):
        if closing.match(lines[candidates[index]]):
            return candidates[index]
    return None


@functools.lru_cache(maxsize=64)
def _closing_fence(mark: str, length: int) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(mark)}{{{length},}}\s*$")
