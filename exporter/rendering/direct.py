"""A field's HTML straight from its text, for the shapes most fields take: no token tree.

Most fields are paragraphs, lists, display math and code blocks (`field_blocks`) whose
lines hold only text, `$...$` math, code spans, `**strong**` and line breaks
(`plain_html`). For those, the HTML the configured markdown-it renders is written here
from the blocks and each line's pieces, without making any token, giving
them lines, looking through them for unclosed math, display math, images, raw HTML or
links (such lines hold none: a lone `$`, `<`, `[` or `!` sends a line to the parser), and
rendering them one by one. The formulas come back with their lines, for the TeX check.
Anything else gives None and the field goes through `markdown().parse` as before;
tests/test_direct_html.py compares both on every field of the shipped, test and benchmark
notes and on random texts. (The HTML is then sanitised as the parser's is.)
"""

from __future__ import annotations

from typing import Any

from markdown_it.common.utils import mdTrim

from exporter.reading.field_blocks import Block, Fence, ListBlock, MathBlock, Paragraph, field_blocks
from exporter.reading.markdown import Formula, fence_html, math_html, plain_html


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
    lines: list[tuple[str, list[Formula]]] = []
    for block in blocks:  # every line first: code is highlighted only for a field taken
        for content in _contents(block):
            line = inline(content)
            if line is None:
                return None
            lines.append(line)
    # The tags as markdown-it's renderer writes them for these blocks (`RendererHTML.renderToken`):
    # a tight list's paragraphs are hidden, no tag is preceded by a hidden one but a closing one.
    out: list[str] = []
    formulas: list[Formula] = []
    done = iter(lines)
    for block in blocks:
        if isinstance(block, Paragraph):
            markup, found = next(done)
            out += ("<p>", markup, "</p>\n")
            formulas.extend((tex, block.start + at) for tex, at in found)
        elif isinstance(block, MathBlock):
            out.append(math_html(block.tex, True))
            formulas.append((block.tex, block.start))
        elif isinstance(block, Fence):
            out.append(fence_html(block.code, block.info, env))
        else:
            tag = "ul" if block.first is None else "ol"
            out.append(f'<ol start="{block.first}">\n' if block.first not in (None, 1) else f"<{tag}>\n")
            for item in block.items:
                markup, found = next(done)
                out += ("<li>", markup, "</li>\n")
                formulas.extend((tex, item.start + at) for tex, at in found)
            out.append(f"</{tag}>\n")
    return "".join(out), formulas


def _contents(block: Block) -> tuple[str, ...]:
    """The texts of a block's paragraphs, in order."""
    if isinstance(block, Paragraph):
        return (block.content,)
    if isinstance(block, ListBlock):
        return tuple(item.content for item in block.items)
    return ()
