"""Math syntax for markdown-it (`\\(..\\)`, `\\[..\\]`, `$$` blocks) and a TeX sanity check.

dollarmath handles `$..$` and inline `$$..$$`; these rules add the bracket
delimiters (which CommonMark would otherwise eat as backslash escapes) and a
display-block rule that, unlike dollarmath's, may interrupt a paragraph: the
seeds put `\\[` on the line right after text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from exporter.reading.texcheck import structure_problem

INLINE = "math_inline"
DISPLAY_INLINE = "math_inline_double"
"""Display math written inside a paragraph; `markdown.py` lifts it out of the `<p>`."""
BLOCK = "math_block"

DISPLAY_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"))
"""Display math's (opener, closer) pairs (`display_opening`, which `reading/outline.py` reads blocks by too)."""


def bracket_inline(state: StateInline, silent: bool) -> bool:
    """`\\(tex\\)` inline and `\\[tex\\]` display, found before the escape rule sees the backslash."""
    pos = state.pos
    src = state.src
    if src[pos] != "\\" or pos + 1 >= state.posMax or src[pos + 1] not in "([":
        return False
    display = src[pos + 1] == "["
    close = "\\]" if display else "\\)"
    end = _next_closer(state, close, pos + 2)
    if end < 0 or _NON_SPACE.search(src, pos + 2, end) is None:
        return False
    if not silent:
        token = state.push(DISPLAY_INLINE if display else INLINE, "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = src[pos : pos + 2]
    state.pos = end + 2
    return True


_NON_SPACE = re.compile(r"\S")


def _next_closer(state: StateInline, close: str, start: int) -> int:
    """`state.src.find(close, start, state.posMax)`, remembered per inline run.

    Searching afresh from every opener made a line of 100,000 `\\[` without a closer
    quadratic (each search ran to the end of the line). The answer for a later start is
    the same closer (or the same absence) as long as the start has not passed it.
    """
    memo: dict[tuple[str, int], tuple[int, int]] = state.__dict__.setdefault("_exporter_closers", {})
    key = (close, state.posMax)  # a link label narrows posMax for a nested run
    searched_from, found = memo.get(key, (-1, -1))
    if searched_from < 0 or start < searched_from or (found >= 0 and start > found):
        found = state.src.find(close, start, state.posMax)
        memo[key] = (start, found)
    return found


def display_opening(line: str) -> tuple[str, str, str] | None:
    """The delimiter opening display math at the start of `line`, its closer, and the rest of the line;
    None when the line opens none (`display_block`'s rule, which `reading.outline` follows too)."""
    for opener, closer in DISPLAY_DELIMITERS:
        if line.startswith(opener):
            return opener, closer, line[len(opener) :]
    return None


def display_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`$$`/`\\[` opening a line and its closer ending a line (the same or a later one)."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[begin : begin + 1] not in ("$", "\\") or state.is_code_block(start_line):
        return False  # tried on every line of every paragraph: the cheap test goes first
    opening = display_opening(state.src[begin : state.eMarks[start_line]])
    if opening is None:
        return False
    opener, closer, rest = opening
    if closer in rest:
        at = rest.find(closer)
        if rest[at + len(closer) :].strip():
            return False  # text after the closer: inline math inside a paragraph
        body, last = rest[:at], start_line
    else:
        last = -1
        for line in range(start_line + 1, end_line):
            text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
            if not text.strip():
                return False  # TeX display math never holds a blank line
            if closer in text:
                at = text.find(closer)
                if text[at + len(closer) :].strip():
                    return False
                middle = state.getLines(start_line + 1, line, state.blkIndent, True)
                body, last = rest + "\n" + middle + text[:at], line
                break
        if last < 0:
            return False
    if not body.strip():
        return False
    if silent:
        return True
    token = state.push(BLOCK, "math", 0)
    token.block = True
    token.content = body
    token.markup = opener
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


_LEFT_RIGHT = re.compile(r"\\(left|right)(?![A-Za-z])")


@lru_cache(maxsize=4096)
def tex_problem(tex: str) -> str | None:
    """Why `tex` would not typeset (unbalanced braces, environments, \\left/\\right), or None."""
    problem = structure_problem(tex)
    if problem is not None:
        return problem
    sides = [m.group(1) for m in _LEFT_RIGHT.finditer(tex)] if "\\left" in tex or "\\right" in tex else []
    if sides.count("left") != sides.count("right"):
        return f"{sides.count('left')} \\left but {sides.count('right')} \\right"
    stripped = tex.rstrip()
    if stripped.endswith(("^", "_")) and not stripped.endswith(("\\^", "\\_")):
        return f"'{stripped[-1]}' with nothing after it"
    return None


_OPENER = re.compile(r"(?<![\d\\])\$")
_BODY = re.compile(r"[^\x00$]{1,80}")
_MATHY = re.compile(r"\\[A-Za-z]+|[_^{}]|[=<>]")


def unclosed_math(text: str) -> str | None:
    r"""The start of an unclosed `$...` that looks like math in `text`, or None.

    `text` is one line's plain text with `\x00` where code or math stood and
    escapes kept as written (`\$`), so code, escaped dollars and prices (`$5`,
    `10$`, `$ $5`) never match.

    Linear in the line's length: this was the pattern
    `(?<![\d\\])\${1,2}(?![\s$]*[\d.,])(?P<body>[^\x00$]{1,80})`, whose lookahead
    rescans a run of dollars or spaces from each of its positions (a line of 200,000 `$`
    took minutes). The same matches are found with the end of each run computed once.
    """
    if "$" not in text:  # most lines: their math was parsed, so it stands as `\x00` here
        return None
    after_run = _ends_of_space_dollar_runs(text)
    pos = 0
    while True:
        opener = _OPENER.search(text, pos)
        if opener is None:
            return None
        start = opener.start()
        for width in (2, 1):  # `\${1,2}` is greedy: two dollars first
            if text[start : start + width] != "$" * width:
                continue
            after = after_run[start + width]
            if after < len(text) and text[after] in "0123456789.,":
                continue  # a price: `$5`, `$ 5`, `$$.5`
            body = _BODY.match(text, start + width)
            if body is None:
                continue
            if _MATHY.search(body.group(0)):
                return text[start : body.end()][:40].strip()
            pos = body.end()
            break
        else:
            pos = start + 1


def _ends_of_space_dollar_runs(text: str) -> list[int]:
    """For each index, the first index at or after it that is neither whitespace nor `$`."""
    ends = [len(text)] * (len(text) + 1)
    for i in range(len(text) - 1, -1, -1):
        ends[i] = ends[i + 1] if text[i] == "$" or text[i].isspace() else i
    return ends
