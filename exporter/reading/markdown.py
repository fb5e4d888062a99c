"""The one configured MarkdownIt: CommonMark, tables, raw HTML, math and highlighted code.

Math is tokenised before any other inline rule touches it, so TeX keeps its
underscores, backslashes, braces and `<`. It comes out in the delimiters Anki's
MathJax reads: `<span class="math inline">\\(TEX\\)</span>` and
`<div class="math display">\\[TEX\\]</div>`, TEX escaped for HTML and nothing else.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from exporter.reading.layout import matching_lines
from exporter.rendering.highlight import highlight_code
from exporter.rendering.cloze import highlight_keeping_clozes
from exporter.rendering.highlight_cloze import NEXT_NUMBER, highlight_cloze_plugin
from exporter.reading.mathdetect import BLOCK, DISPLAY_INLINE, INLINE, bracket_inline, display_block, unclosed_math

MATH_TYPES = frozenset({INLINE, DISPLAY_INLINE, BLOCK})
UNCLOSED_KEY = "unclosed_math"
"""`env` key: list of (0-based line, snippet) of unclosed `$` math found while parsing."""
CODE_SLOTS_KEY = "code_slots"
"""`env` key: when set to a list, highlighted code goes there and the HTML holds a slot for it.

The render stage then sanitises the HTML without the highlighter's markup (most of
it, in a note with code) and puts the code back after; see `sanitize.fill_code_slots`.
"""

# Children whose content may span lines; softbreak/hardbreak count one line each.
_MULTILINE_CHILDREN = frozenset({INLINE, DISPLAY_INLINE, "html_inline", "image"})


def escape_tex(tex: str) -> str:
    """HTML-escape TeX for a field: `&`, `<`, `>` only, so MathJax reads it back unchanged."""
    return html.escape(tex, quote=False)


def math_html(tex: str, display: bool) -> str:
    """The markup every writer relies on; surrounding whitespace of the formula is dropped."""
    body = escape_tex(tex.strip())
    if display:
        return f'<div class="math display">\\[{body}\\]</div>\n'
    return f'<span class="math inline">\\({body}\\)</span>'


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """Build the parser once; every note goes through this same configuration."""
    return _configured()


_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
# Block rules with the text they cannot match without: a file that lacks it
# is parsed without the rule, which then could only have said no on every line.
_BLOCK_TRIGGERS: tuple[tuple[str, tuple[str, ...] | re.Pattern[str]], ...] = (
    ("table", ("|",)),
    ("blockquote", (">",)),
    ("reference", ("]:",)),
    ("html_block", ("<",)),
    (BLOCK, ("$$", "\\[")),
    ("fence", ("```", "~~~")),
    ("heading", ("#",)),
    ("hr", re.compile(r"^ {0,3}([-*_])[ \t]*\1[ \t]*\1", re.MULTILINE)),
    ("lheading", _UNDERLINE),
    ("code", re.compile(r"^(?: {4}|\t)", re.MULTILINE)),
)
_LIST_ITEM_CODE = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?: {5}|[ ]{0,4}\t)", re.MULTILINE)
"""A list item whose first line is indented code (`-     code`): such a file needs the code rule."""


def parse_blocks(text: str, fenced: Callable[[int], bool] | None = None) -> list[Token]:
    """The block tokens of `text` (inline tokens keep their content, children unparsed).

    Reading needs the block structure of whole files, and the block pass costs
    a few Python calls per rule per line: rules whose trigger text the file
    does not contain are left out (same tokens, a third less time). `fenced`
    says whether a 0-based line is inside a code fence (not a fence line): when
    every indented line is, the indented-code rule is left out too.
    """
    unused = {name for name, trigger in _BLOCK_TRIGGERS if not _holds(text, trigger)}
    if fenced is not None and "code" not in unused and _only_fenced_indents(text, unused, fenced):
        unused.add("code")
    md = _without(frozenset(unused))
    tokens: list[Token] = []
    md.block.parse(text.replace("\0", "\ufffd"), md, {}, tokens)
    return tokens


def _only_fenced_indents(text: str, unused: set[str], fenced: Callable[[int], bool]) -> bool:
    """True when indented code cannot start anywhere: every indented line is inside a fence.

    Only asked where no container could hide indented code from a line-level
    look (no blockquote, no HTML block, no list item opening with indented code).
    """
    if not {"blockquote", "html_block"} <= unused or _LIST_ITEM_CODE.search(text):
        return False
    indented = _BLOCK_TRIGGERS[-1][1]
    assert isinstance(indented, re.Pattern)
    return all(fenced(line) for line in matching_lines(indented, text))


def _holds(text: str, trigger: tuple[str, ...] | re.Pattern[str]) -> bool:
    if isinstance(trigger, tuple):
        return any(part in text for part in trigger)
    if trigger is _UNDERLINE:  # a setext underline only counts right under a line of text
        for found in trigger.finditer(text):
            before = text.rfind("\n", 0, max(found.start() - 1, 0))
            if text[before + 1 : max(found.start() - 1, 0)].strip():
                return True
        return False
    return trigger.search(text) is not None


@lru_cache(maxsize=64)
def _without(rules: frozenset[str]) -> MarkdownIt:
    if not rules:
        return markdown()
    md = _configured()
    md.block.ruler.disable(sorted(rules))
    return md


def _configured() -> MarkdownIt:
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.dollarmath.index import math_inline_dollar

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    # Every URL reaches the render stage, which refuses and reports what is unsafe
    # (file:, data: images, javascript: links) instead of leaving it as silent text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    dollarmath_plugin(md, allow_labels=False, allow_space=True, allow_digits=False, double_inline=True)
    # dollarmath's block rule ignores `silent` and cannot end a paragraph; ours does both.
    md.block.ruler.at(BLOCK, display_block, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.inline.ruler.at(INLINE, _not_after_an_amount(math_inline_dollar(allow_space=True, allow_digits=False, allow_double=True)))
    md.inline.ruler.before("escape", "math_bracket", bracket_inline)
    highlight_cloze_plugin(md)  # idle outside cloze notes
    md.core.ruler.after("inline", "line_numbers", _annotate_lines)
    md.core.ruler.after("line_numbers", "unclosed_math", _find_unclosed_math)
    md.core.ruler.after("unclosed_math", "display_out_of_paragraph", _lift_display_math)

    md.add_render_rule(INLINE, lambda self, tokens, idx, options, env: math_html(tokens[idx].content, False))
    md.add_render_rule(DISPLAY_INLINE, lambda self, tokens, idx, options, env: math_html(tokens[idx].content, True))
    md.add_render_rule(BLOCK, lambda self, tokens, idx, options, env: math_html(tokens[idx].content, True))
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", lambda self, tokens, idx, options, env: _code(tokens[idx].content, None, env))
    return md


def _not_after_an_amount(rule: Any) -> Any:
    """French prices write the sign after the amount (`5 $ et 6 $`): such a `$` never opens math."""

    def guarded(state: Any, silent: bool) -> bool:
        before = state.src[max(state.pos - 2, 0) : state.pos]
        if state.src[state.pos] == "$" and len(before) == 2 and before[0].isdigit() and before[1] in " \t":
            return False
        return bool(rule(state, silent))

    return guarded


def _render_fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    info = tokens[idx].info.strip()
    language = info.split()[0] if info else None
    return _code(tokens[idx].content, language, env)


def _code(code: str, language: str | None, env: Any) -> str:
    """Highlighted code (in a cloze note's text, with its deletions kept whole for Anki), or a slot
    for it when the caller collects code apart (`CODE_SLOTS_KEY`)."""
    if isinstance(env, dict) and NEXT_NUMBER in env:
        highlighted = highlight_keeping_clozes(code, lambda bare: highlight_code(bare, language))
    else:
        highlighted = highlight_code(code, language)
    slots = env.get(CODE_SLOTS_KEY) if isinstance(env, dict) else None
    if slots is None:
        return highlighted
    slots.append(highlighted)
    return code_slot(len(slots) - 1) + "\n"


def code_slot(index: int) -> str:
    """The stand-in for the `index`th code block: an empty `<div>`, parsed like the real one."""
    return f'<div class="exporter-code-slot-{index}"></div>'


def _annotate_lines(state: StateCore) -> None:
    """Give every inline child `meta["line"]`: its 0-based line in the parsed text."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            child.meta["line"] = line
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in _MULTILINE_CHILDREN:
                line += child.content.count("\n")


def _find_unclosed_math(state: StateCore) -> None:
    """Look for a lone `$` before text_join merges escaped characters back into plain text."""
    found: list[tuple[int, str]] = state.env.setdefault(UNCLOSED_KEY, [])
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        pieces: list[str] = []
        first_line = None
        for child in [*token.children, Token("softbreak", "br", 0)]:
            if child.type == "text":
                if first_line is None:
                    first_line = child.meta.get("line", 0)
                pieces.append(child.content)
            elif child.type in ("em_open", "em_close", "strong_open", "strong_close"):
                continue
            elif child.type == "text_special":
                pieces.append(child.markup)  # `\$` stays escaped, so it never opens math
            elif child.type in ("softbreak", "hardbreak"):
                snippet = unclosed_math("".join(pieces))
                if snippet:
                    found.append((first_line or 0, snippet))
                pieces, first_line = [], None
            else:
                pieces.append("\x00")


def _lift_display_math(state: StateCore) -> None:
    """Split a paragraph around display math so no `<div>` ends up inside a `<p>`."""
    tokens: list[Token] = []
    i = 0
    while i < len(state.tokens):
        token = state.tokens[i]
        if (
            token.type == "paragraph_open"
            and i + 2 < len(state.tokens)
            and any(c.type == DISPLAY_INLINE for c in state.tokens[i + 1].children or ())
        ):
            tokens.extend(_split_paragraph(token, state.tokens[i + 1], state.tokens[i + 2]))
            i += 3
            continue
        tokens.append(token)
        i += 1
    state.tokens = tokens


def _split_paragraph(opening: Token, inline: Token, closing: Token) -> Iterator[Token]:
    segment: list[Token] = []
    for child in [*(inline.children or ()), None]:
        if child is not None and child.type != DISPLAY_INLINE:
            segment.append(child)
            continue
        trimmed = _trim(segment)
        if trimmed:
            text = Token("inline", "", 0, map=inline.map, content="", children=trimmed)
            yield Token(opening.type, opening.tag, 1, map=opening.map, hidden=opening.hidden, level=opening.level, block=True)
            yield text
            yield Token(closing.type, closing.tag, -1, hidden=closing.hidden, level=closing.level, block=True)
        segment = []
        if child is not None:
            block = Token(BLOCK, "math", 0, content=child.content, markup=child.markup, block=True)
            block.map = [child.meta.get("line", 0), child.meta.get("line", 0) + child.content.count("\n") + 1]
            block.meta = dict(child.meta)
            yield block


def _trim(children: list[Token]) -> list[Token]:
    """Drop the line breaks and blanks left at the edges of a split paragraph."""
    items = list(children)
    while items and (items[0].type in ("softbreak", "hardbreak") or _blank(items[0])):
        items.pop(0)
    while items and (items[-1].type in ("softbreak", "hardbreak") or _blank(items[-1])):
        items.pop()
    if items and items[0].type == "text":
        items[0].content = items[0].content.lstrip()
    if items and items[-1].type == "text":
        items[-1].content = items[-1].content.rstrip()
    return items


def _blank(token: Token) -> bool:
    return token.type == "text" and not token.content.strip()


def walk(tokens: Sequence[Token]) -> Iterator[tuple[Token, int]]:
    """Every token with its 0-based line in the parsed text, inline children included."""
    for token in tokens:
        line = token.map[0] if token.map else 0
        yield token, line
        for child in token.children or ():
            yield child, int(child.meta.get("line", line))
