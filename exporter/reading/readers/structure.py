"""A Markdown document as a tree of sections, each holding its top-level blocks with line ranges.

Readers that turn a document into notes by its structure need to know which
blocks sit under which heading, and where each block starts and ends in the
source, so that a note's Markdown can be a slice of the lines as written.
markdown-it's `token.map` gives exactly that, and it already knows that a `#`
inside a code fence is not a heading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark").enable("table")

_TIME_NOTE = re.compile(r"\s*\(\s*(?:\d+\s*h\s*\d*|\d+\s*min(?:utes?)?)\s*\)\s*$", re.IGNORECASE)


@dataclass
class Block:
    """One top-level block (paragraph, list, table, fence...) of a section."""

    type: str
    """The opening token's type without `_open`: `paragraph`, `table`, `fence`, `bullet_list`..."""
    start: int
    """0-based first line."""
    end: int
    """0-based line after the last one."""
    tokens: list[Token]
    """The block's tokens, from its opening token to its closing one."""


@dataclass
class Section:
    """A heading and the blocks under it up to the next heading of any level."""

    title: str
    """The heading's inline Markdown as written; empty for the part before the first heading."""
    level: int
    """1 to 6; 0 for the document root."""
    line: int
    """0-based line of the heading."""
    heading: list[Token] = field(default_factory=list)
    """The heading's inline children, to tell a link-only heading from a real one."""
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


def parse_sections(text: str) -> Section:
    """The section tree of `text`: each heading nests under the nearest shallower one."""
    root = Section("", 0, 0)
    stack = [root]
    for block in _top_level_blocks(_MD.parse(text)):
        if block.type == "heading":
            inline = block.tokens[1]
            level = int(block.tokens[0].tag[1])
            section = Section(inline.content.strip(), level, block.start, list(inline.children or []))
            while stack[-1].level >= level:
                stack.pop()
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].blocks.append(block)
    return root


def _top_level_blocks(tokens: list[Token]) -> list[Block]:
    blocks: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = index
        if token.nesting == 1:
            depth = 0
            for end in range(index, len(tokens)):
                depth += tokens[end].nesting
                if depth == 0:
                    break
        kind = token.type.removesuffix("_open")
        start, stop = token.map if token.map else (0, 0)
        blocks.append(Block(kind, start, stop, tokens[index : end + 1]))
        index = end + 1
    return blocks


def inline_children(block: Block) -> list[Token]:
    """The inline children of a paragraph block (empty for other blocks)."""
    for token in block.tokens:
        if token.type == "inline":
            return list(token.children or [])
    return []


def is_link_only(children: list[Token]) -> bool:
    """True when inline content is one link and nothing else (an `{.attr}` list after it is allowed)."""
    meaningful = [t for t in children if not (t.type in ("text", "softbreak") and not t.content.strip())]
    if not meaningful or meaningful[0].type != "link_open":
        return False
    depth = 0
    for position, token in enumerate(meaningful):
        depth += token.nesting if token.type.startswith("link_") else 0
        if depth == 0:
            rest = meaningful[position + 1 :]
            return all(t.type == "text" and re.fullmatch(r"\s*\{[^}]*\}\s*", t.content) for t in rest)
    return False


def is_bold_only(children: list[Token]) -> bool:
    """True when inline content is entirely one `**strong**` span: a pseudo-heading."""
    meaningful = [t for t in children if not (t.type == "text" and not t.content.strip())]
    return (
        len(meaningful) >= 3
        and meaningful[0].type == "strong_open"
        and meaningful[-1].type == "strong_close"
        and sum(1 for t in meaningful if t.type == "strong_open") == 1
    )


def plain_text(children: list[Token]) -> str:
    """The visible text of inline tokens: markup, link targets and images' sources dropped."""
    parts = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(plain_text(list(token.children or [])))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def trim_time_note(name: str) -> str:
    """`Atelier (30 min)` -> `Atelier`: durations belong in the text, not in deck and heading names."""
    return _TIME_NOTE.sub("", name).strip()


def tag_slug(name: str) -> str:
    """An Anki tag from a heading: ASCII-folded, lower case, dashes (`Lier à des idées` -> `lier-a-des-idees`)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def deck_from_path(path: str) -> str:
    """A readable deck name from a file name: `transfer-learning-open-questions.md` -> `Transfer Learning Open Questions`."""
    stem = PurePosixPath(path).stem
    words = [w for w in re.split(r"[-_\s.]+", stem) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or stem
