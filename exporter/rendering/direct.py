"""A field's HTML straight from its text, for the shapes most fields take: no token tree.

Most fields are paragraphs, lists, display math and code blocks (`field_blocks`) whose
lines hold only text, `$...$` math, code spans, `**strong**` and line breaks
(`plain_html`). For those, the HTML the configured markdown-it renders is written here
from the block tokens and each line's pieces, without making the inline tokens, giving
them lines, looking through them for unclosed math, display math, images, raw HTML or
links (such lines hold none: a lone `$`, `<`, `[` or `!` sends a line to the parser), and
rendering them one by one. The formulas come back with their lines, for the TeX check.
Anything else gives None and the field goes through `markdown().parse` as before;
tests/rendering/test_direct.py compares both on every field of the shipped and benchmark
notes and on random texts.
"""

from __future__ import annotations

from typing import Any

from markdown_it.common.utils import mdTrim

from exporter.reading.field_blocks import field_blocks
from exporter.reading.markdown import Formula, fence_html, markdown, math_html, plain_html
from exporter.reading.mathdetect import BLOCK


def direct_html(text: str, env: dict[str, Any]) -> tuple[str, list[Formula]] | None:
    """What `markdown().render(text, env)` gives, and each formula with its 0-based line; None: not such a field.

    `env` is the parse's: code blocks go to its code slots, or keep a cloze note's deletions, as there.
    """
    if "\r" in text or "\0" in text:
        return None  # normalised first by the parser
    inline = plain_html()
    if "\n" not in text and text[:1].isalpha():
        line = inline(mdTrim(text))  # one paragraph, as `markdown._block` makes it
        return None if line is None else ("<p>" + line[0] + "</p>\n", line[1])
    blocks = field_blocks(text)
    if blocks is None:
        return None
    lines: dict[int, tuple[str, list[Formula]]] = {}
    for index, token in enumerate(blocks):  # every line first: code is highlighted only for a field taken
        if token.type == "inline":
            line = inline(token.content)
            if line is None:
                return None
            lines[index] = line
    md = markdown()
    renderer: Any = md.renderer
    rules, options = renderer.rules, md.options
    out: list[str] = []
    formulas: list[Formula] = []
    for index, token in enumerate(blocks):
        kind = token.type
        if kind == "inline":
            markup, found = lines[index]
            out.append(markup)
            if found:
                first = token.map[0] if token.map else 0
                formulas.extend((tex, first + at) for tex, at in found)
        elif kind == BLOCK:
            out.append(math_html(token.content, True))
            formulas.append((token.content, token.map[0] if token.map else 0))
        elif kind == "fence":
            out.append(fence_html(token, env))
        else:
            rule = rules.get(kind)  # the tags of paragraphs and lists, as the renderer writes them
            out.append(rule(blocks, index, options, env) if rule else renderer.renderToken(blocks, index, options, env))
    return "".join(out), formulas
