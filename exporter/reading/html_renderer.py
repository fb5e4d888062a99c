"""markdown-it's HTML renderer with the common tokens written in one loop: the same HTML, fewer calls.

`RendererHTML` renders each token through a rule looked up by its type, a method call
each, and every tag through `renderToken` (attribute list, self-closing check, the
next token looked at for a newline). A field's tokens are mostly paragraphs, list
items, text, line breaks, code spans and emphasis: here the default rules of those
are written inline, in the loop, as they are in markdown-it-py 4 (`renderToken`, `text`,
`softbreak`, `hardbreak`, `code_inline`); a rule added or replaced for a type
(`add_render_rule`) is called as before. tests/reading/test_parse_blocks.py compares the
HTML with `RendererHTML`'s on every field and thousands of random texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

_INLINE_DEFAULTS = ("text", "softbreak", "hardbreak", "code_inline")
"""Inline rules written in the loop while they are RendererHTML's own."""


class FastRenderer(RendererHTML):
    """`RendererHTML` giving the same HTML with its default rules written in the loop."""

    def render(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        rules = self.rules
        out: list[str] = []
        xhtml = bool(options["xhtmlOut"])
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))
            elif kind in rules:
                out.append(rules[kind](tokens, index, options, env))
            else:
                out.append(tag_html(tokens, index, token, xhtml))
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        rules = self.rules
        defaults = self._defaults()
        xhtml = bool(options["xhtmlOut"])
        breaks = bool(options["breaks"])
        out: list[str] = []
        for index, token in enumerate(tokens):
            kind = token.type
            if kind in defaults:
                if kind == "text":
                    out.append(escapeHtml(token.content))
                elif kind == "softbreak":
                    out.append(("<br />\n" if xhtml else "<br>\n") if breaks else "\n")
                elif kind == "hardbreak":
                    out.append("<br />\n" if xhtml else "<br>\n")
                else:
                    out.append("<code" + (self.renderAttrs(token) if token.attrs else "") + ">"
                               + escapeHtml(token.content) + "</code>")
            elif kind in rules:
                out.append(rules[kind](tokens, index, options, env))
            else:
                out.append(tag_html(tokens, index, token, xhtml))
        return "".join(out)

    def _defaults(self) -> frozenset[str]:
        """The types of `_INLINE_DEFAULTS` whose rule is still RendererHTML's."""
        rules = self.rules
        return frozenset(kind for kind in _INLINE_DEFAULTS
                         if getattr(rules.get(kind), "__func__", None) is getattr(RendererHTML, kind))


def tag_html(tokens: Sequence[Token], index: int, token: Token, xhtml: bool) -> str:
    """`RendererHTML.renderToken`: the tag of `tokens[index]` (`token`)."""
    if token.hidden:
        return ""
    nesting = token.nesting
    block = token.block
    result = ("</" if nesting == -1 else "<") + token.tag
    if block and nesting != -1 and index and tokens[index - 1].hidden:
        result = "\n" + result
    if token.attrs:
        result += RendererHTML.renderAttrs(token)
    if nesting == 0 and xhtml:
        result += " /"
    if not block:
        return result + ">"
    if nesting == 1 and index + 1 < len(tokens):
        following = tokens[index + 1]
        if following.type == "inline" or following.hidden or (following.nesting == -1 and following.tag == token.tag):
            return result + ">"
    return result + ">\n"
