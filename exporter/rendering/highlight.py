"""Code highlighting with Pygments: class-based HTML plus the one stylesheet every output shares."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

CSS_CLASS = "highlight"
LIGHT_STYLE = "friendly"
DARK_STYLE = "monokai"


def highlight_code(code: str, language: str | None) -> str:
    """`<div class="highlight"><pre>...</pre></div>`; unknown languages come out plain, escaped."""
    lexer = _lexer(language) if language else None
    if lexer is None:
        return f'<div class="{CSS_CLASS}"><pre><code>{html.escape(code)}</code></pre></div>\n'
    # What `pygments.highlight` writes with our formatter's options (no line numbers, anchors or
    # marked lines, classes not styles): its lines inside the `<div>` and `<pre>` its
    # `format_unencoded` puts around them through a generator per wrapper, and a write per piece.
    lines = _formatter()._format_lines(lexer.get_tokens(code))
    return f'<div class="{CSS_CLASS}"><pre><span></span>' + "".join(line for _, line in lines) + "</pre></div>\n"


_FENCE_LANGUAGE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*([^\s`{]+)", re.MULTILINE)
"""The language a fence opening a line names (a guess: only used to load lexers ahead)."""


def load_ahead(texts: Iterable[str]) -> None:
    """Load the formatter, and the lexer of each language the fences of `texts` name, in this process.

    Worker processes forked afterwards start with them: each would otherwise load them for
    itself (40 ms for Python's lexer, its rules and the stylesheet's classes).
    """
    names = {match.group(1) for text in texts if "```" in text or "~~~" in text
             for match in _FENCE_LANGUAGE.finditer(text)}
    for name in sorted(names):
        highlight_code("x = 1\n", name)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    """One lexer per language name: looking it up and building its stylesheet cost more than highlighting."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    from exporter.rendering.lexing import faster

    try:
        return faster(get_lexer_by_name(language))
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass=CSS_CLASS, nowrap=False)


@lru_cache(maxsize=None)
def pygments_css(dark_selector: str = ".nightMode") -> str:
    """Light styles for `.highlight`, dark ones under `dark_selector` (Anki's night mode class)."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(cssclass=CSS_CLASS, style=LIGHT_STYLE).get_style_defs(f".{CSS_CLASS}")
    dark = HtmlFormatter(cssclass=CSS_CLASS, style=DARK_STYLE).get_style_defs(
        f"{dark_selector} .{CSS_CLASS}"
    )
    return f"{light}\n{dark}\n"
