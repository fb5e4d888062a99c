"""A source parsed once: markdown-it's block tokens, the top-level blocks with their lines, the line layout.

Every card pattern reads this one structure, so a file is tokenised once
whatever styles it mixes. Only the block level is parsed up front (the
expensive inline pass runs per block, on demand: most patterns never need it).
`token.map` gives each block's 0-based lines, so a note's Markdown is always a
slice of the lines as written, and `layout` says which lines are HTML comment
or code fence, which labels in plain text (`Question :`) need to know.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from markdown_it.token import Token

from exporter.reading.inline import deck_from_path, plain_text, trim_time_note
from exporter.reading.layout import Layout, any_line, scan
from exporter.reading.markdown import markdown, parse_blocks
from exporter.reading.outline import heading_text, line_tokens, scan_outline
from exporter.reading.source import SourceFile

# Each hint opens with a lookahead for the characters its lines can start with: a scan of a
# big file then gives up at once on most lines (the heading hint 9 ms instead of 15 ms on 115k lines).
_HEADING_HINT = re.compile(r"^(?=[ #=-]) {0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)", re.MULTILINE)
_RULE_HINT = re.compile(r"^(?=[ *_-]) {0,3}([-*_])[ \t]*\1[ \t]*\1", re.MULTILINE)
_NUMBER = re.compile(r"^(?:Q(?:uestion)?\s*)?\d+\s*[.):]\s+", re.IGNORECASE)


@dataclass(eq=False)
class Block:
    """One top-level block: a paragraph, heading, list, table, fence, HTML block, math block, rule."""

    index: int
    """Position in `Document.blocks` (in `Document.outline` for a heading or rule the outline read from the lines)."""
    type: str
    """The opening token's type without `_open`: `paragraph`, `heading`, `fence`, `bullet_list`..."""
    start: int
    """0-based first line."""
    end: int
    """0-based line after the last one."""
    _tokens: list[Token] | None
    """The block's tokens, from its opening token to its closing one (inline children not parsed);
    None for a heading or rule of an outline read from the lines until they are asked for."""

    level: int = 0
    """1 to 6 for a heading, 0 for any other block."""

    line: str = ""
    """The text of its line, for a heading or rule of an outline read from the lines."""

    line_content: str = ""
    """`content` of a heading read from its line (made with it: every pattern asks a heading's text)."""

    @property
    def tokens(self) -> list[Token]:
        """The block's tokens (those of a heading or rule read from its line made on first use)."""
        if self._tokens is None:
            self._tokens = line_tokens(self.line, self.start, self.level)
        return self._tokens

    @property
    def content(self) -> str:
        """The raw inline text of a paragraph or heading (first inline token), stripped."""
        if self._tokens is None:
            return self.line_content
        for token in self._tokens:
            if token.type == "inline":
                return token.content.strip()
        return self._tokens[0].content if self.type in ("html_block", "fence", "math_block", "code_block") else ""


@dataclass(eq=False)
class Document:
    """One source file, parsed once; patterns claim its lines."""

    source: SourceFile
    lines: list[str]
    layout: Layout
    _inline: dict[int, list[Token]] = field(default_factory=dict)
    _names: dict[int, str] = field(default_factory=dict)
    """`heading_name` by the heading's first line: every note under a heading names it in its context."""
    _scanned: bool = False
    """True when `outline` was read from the lines: the file then has no line that may open an HTML block."""

    @cached_property
    def blocks(self) -> list[Block]:
        """The top-level blocks, tokenised on first use (once): a file whose patterns never
        ask for its structure (a file of labelled pairs and nothing else) is never tokenised."""
        return _top_level_blocks(parse_blocks(self.source.text))

    @cached_property
    def may_have_headings(self) -> bool:
        """False when no line can be a heading (`#` or a setext underline): answered without tokenising."""
        return any_line(_HEADING_HINT, self.source.text)

    @cached_property
    def may_have_rules(self) -> bool:
        """False when no line can be a thematic break (`---`, `***`, `___`): answered without tokenising."""
        return any_line(_RULE_HINT, self.source.text)

    @property
    def path(self) -> str:
        return self.source.path

    def inline(self, block: Block) -> list[Token]:
        """The inline children of the block's first inline token (a paragraph's, a heading's)."""
        for token in block.tokens:
            if token.type == "inline":
                return self.children(token)
        return []

    def children(self, token: Token) -> list[Token]:
        """An inline token's children, parsed on first use and kept."""
        key = id(token)
        if key not in self._inline:
            md = markdown()
            children: list[Token] = []
            md.inline.parse(token.content, md, {}, children)
            token.children = children
            self._inline[key] = children
        return self._inline[key]

    def heading_name(self, heading: Block) -> str:
        """A heading as a name in trails and decks: plain text, without time note (worked out once per heading)."""
        name = self._names.get(heading.start)
        if name is None:
            name = self._names[heading.start] = trim_time_note(plain_text(self.inline(heading)) or heading.content)
        return name

    @cached_property
    def outline(self) -> list[Block]:
        """The top-level headings and rules (`hr`), in order: what heading trails, sections and rules need.

        Read from the lines when they say it exactly (`exporter.reading.outline`): a file whose
        patterns need no more than this is never tokenised. The blocks are the same as those of
        `blocks` (type, lines, level, tokens), but not the same objects: compare them by `start`.
        """
        if "blocks" not in self.__dict__:
            found = scan_outline(self.source.text, self.lines)
            if found is not None:
                self._scanned = True
                lines = self.lines
                return [Block(position, "heading" if level else "hr", start, start + 1, None, level, lines[start],
                              heading_text(lines[start], level).strip() if level else "")
                        for position, (start, level) in enumerate(found)]
        return [b for b in self.blocks if b.type in ("heading", "hr")]

    def outline_after(self, line: int) -> Iterator[Block]:
        """The headings and rules of `outline` that start after 0-based `line`, in order (no copy: callers stop early)."""
        outline = self.outline
        for position in range(bisect.bisect_right(self._outline_starts, line), len(outline)):
            yield outline[position]

    @cached_property
    def _outline_starts(self) -> list[int]:
        """The first line of each block of `outline`, for bisecting without a key function per step."""
        return [block.start for block in self.outline]

    @cached_property
    def headings(self) -> list[Block]:
        """The top-level headings of `outline`, in order."""
        return [b for b in self.outline if b.type == "heading"] if self.may_have_headings else []

    def comment_starts(self) -> set[int]:
        """First lines of the top-level HTML blocks that are comments (none when the outline was read from
        the lines, which it is only for a file without a line that may open an HTML block)."""
        _ = self.outline  # read first: whether the lines were enough is known once it is
        if self._scanned:
            return set()
        return {b.start for b in self.blocks if b.type == "html_block" and b.content.lstrip().startswith("<!--")}

    @cached_property
    def title(self) -> Block | None:
        """The file's `# Title`: its first heading when it is level 1 and not numbered like a topic."""
        if not self.headings:
            return None
        first = self.headings[0]
        return first if first.level == 1 and not _NUMBER.match(first.content) else None

    @cached_property
    def deck(self) -> str:
        """The deck of the file's notes: configured, else the title, else the file name."""
        if self.source.deck:
            return self.source.deck
        if self.title is not None:
            return self.heading_name(self.title)
        return deck_from_path(self.path)

    @cached_property
    def _heading_tree(self) -> tuple[list[int], list[tuple[Block, ...]]]:
        """The headings' first lines, and for each heading the headings it sits under and itself, outermost first."""
        stack: list[Block] = []
        starts: list[int] = []
        chains: list[tuple[Block, ...]] = []
        for heading in self.headings:
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
            starts.append(heading.start)
            chains.append(tuple(stack))
        return starts, chains

    def parents_of(self, heading: Block) -> tuple[Block, ...]:
        """The headings `heading` (a heading of `outline` or of `blocks`) sits under, outermost first."""
        starts, chains = self._heading_tree
        return chains[bisect.bisect_left(starts, heading.start)][:-1]

    def block_at(self, line: int) -> Block | None:
        """The top-level block holding 0-based `line`, if any."""
        low, high = 0, len(self.blocks)
        while low < high:
            middle = (low + high) // 2
            if self.blocks[middle].end <= line:
                low = middle + 1
            else:
                high = middle
        if low < len(self.blocks) and self.blocks[low].start <= line:
            return self.blocks[low]
        return None

    def section_end(self, heading: Block) -> int:
        """The 0-based line after `heading`'s section: the next heading of its level or higher."""
        headings = self.headings
        starts, _ = self._heading_tree
        for position in range(bisect.bisect_right(starts, heading.start), len(headings)):
            if headings[position].level <= heading.level:
                return headings[position].start
        return len(self.lines)

    def trail(self, line: int) -> tuple[Block, ...]:
        """The headings enclosing 0-based `line`, outermost first (a heading line encloses itself)."""
        starts, chains = self._heading_tree
        position = bisect.bisect_right(starts, line)
        return chains[position - 1] if position else ()


def parse_document(source: SourceFile, flat: bool = False) -> Document:
    """`source` with its line layout; its blocks are tokenised once, on first use.

    `flat`: the caller knows no line can be a heading or a rule (a group of lines of a file
    whose every line it checked), so neither is looked for again.
    """
    lines = source.text.split("\n")
    doc = Document(source, lines, scan(lines))
    if flat:
        doc.__dict__.update(may_have_headings=False, may_have_rules=False)  # the cached answers, given
    return doc


def _top_level_blocks(tokens: list[Token]) -> list[Block]:
    """Cut the token stream at level 0: an opening token and its matching close make one block."""
    tops = [i for i, token in enumerate(tokens) if token.level == 0]
    blocks: list[Block] = []
    position = 0
    while position < len(tops):
        first = tops[position]
        token = tokens[first]
        last = first
        if token.nesting == 1 and position + 1 < len(tops):
            position += 1
            last = tops[position]  # at level 0 the next token after an opening one is its close
        start, stop = token.map if token.map else (0, 0)
        kind = token.type.removesuffix("_open")
        level = int(token.tag[1]) if kind == "heading" else 0
        blocks.append(Block(len(blocks), kind, start, stop, tokens[first : last + 1], level))
        position += 1
    return blocks
