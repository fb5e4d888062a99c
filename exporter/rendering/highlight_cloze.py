"""Obsidian highlights (`==text==`) as cloze deletions, in cloze notes only.

The Obsidian spaced-repetition plugin turns each highlight of a cloze card into its own
deletion, numbered in reading order. Doing it as a markdown-it inline rule, not a text
substitution, keeps `==` inside code spans and formulas as written, and lets the
highlighted text hold Markdown and math. The rule is idle unless the parse `env` holds
`NEXT_NUMBER`, so other notes keep `==` as text, as they always have.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

NEXT_NUMBER = "cloze_next_number"
"""`env` key: the number the next highlight gets; present only while parsing a cloze note's text."""

_WRITTEN = re.compile(r"\{\{c(\d+)::")


def first_free_number(text: str) -> int:
    """The number after every `{{cN::` the text already writes, so highlights never reuse one."""
    return max((int(n) for n in _WRITTEN.findall(text)), default=0) + 1


def highlight_cloze_plugin(md: MarkdownIt) -> None:
    """Register the `==text==` rule and its rendering as `{{cN::text}}`."""
    md.inline.ruler.before("emphasis", "highlight_cloze", _highlight)
    md.add_render_rule("cloze_open", _render_open)
    md.add_render_rule("cloze_close", lambda self, tokens, idx, options, env: "}}")


def _highlight(state: StateInline, silent: bool) -> bool:
    if NEXT_NUMBER not in state.env:
        return False
    start = state.pos
    src = state.src
    if not src.startswith("==", start) or src.startswith("===", start) or src[start - 1 : start] == "=":
        return False
    end = src.find("==", start + 2, state.posMax)
    inner = src[start + 2 : end]
    # Like emphasis, a highlight hugs its text: `a == b == c` compares, it does not highlight.
    if end < 0 or not inner.strip() or inner != inner.strip() or src.startswith("===", end):
        return False
    if not silent:
        number = int(state.env[NEXT_NUMBER])
        state.env[NEXT_NUMBER] = number + 1
        opening = state.push("cloze_open", "", 1)
        opening.markup = "=="
        opening.meta["number"] = number
        limit = state.posMax
        state.pos, state.posMax = start + 2, end
        state.md.inline.tokenize(state)
        state.posMax = limit
        state.push("cloze_close", "", -1).markup = "=="
    state.pos = end + 2
    return True


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f"{{{{c{tokens[idx].meta['number']}::"
