"""Sections, the fallback: a lesson's text that no question pattern claimed becomes notes by its structure.

It runs last, and only where the file is a lesson: the explicit patterns
claimed less than half of its text (a lesson page with one embedded
question is still a lesson; a quiz with a stray paragraph is not). It sees only
the blocks nobody claimed, so a question heading and everything under it is
never a section too.

Which heading level makes a card: every heading that has content of its own,
at any depth. A card answers one heading, so a parent heading's card holds only
the text before its first sub-heading, and sub-headings become their own cards
with the parent trail as context. Merging children into the parent (a fixed
level, say `##`) gives backs of forty lines nobody can recall; splitting below
the deepest heading loses the heading that names the content. A paragraph that
is entirely bold (`**Partie 1 : ...**`) is used as a heading one level down,
since workshop pages use it that way for long instruction lists.

What gives no note, because a student cannot revise it:
- a heading that is only a link (`## [Quiz avant le cours](...)`); text under
  it is the previous section's text that the link interrupted, so it stays there;
- an empty section, or one left with only navigation links and lead-in
  sentences (`Voyons ... :`) once its links are set aside;
- template placeholders: a code fence without a language that is a form to fill
  in (`[Problème 1]`, `x%`), table rows made of placeholders;
- HTML comments (metadata blocks) and horizontal rules.

A data table gives one note per row (first cell on the front, the others under
their header labels on the back); a table of images with captions is a figure and
stays in its section's text. A checklist gives a note: a task list (`- [ ]`) with
its heading on the front, or, under a heading that says "checklist", one note
per labelled group (`✅ **Données** :` and its list), since sixteen items on one
back are not revisable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from markdown_it.token import Token

from exporter.model import Note, NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.document import Block, Document
from exporter.reading.inline import is_bold_only, is_link_only, plain_text, tag_slug, trim_time_note

LESSON_SHARE = 0.5
"""Below this share of text lines claimed by question patterns, a file is a lesson."""
_PLACEHOLDER = re.compile(
    r"(?<![\w\]\[])\[[^\W\d_][^\]\n]*\](?![(\[:])"  # [Problème 1], [résultat]
    r"|(?<!\w)[+-]?[xyz]\s?(?:%|ms|MB|Go|GB|s)(?!\w)"  # x%, y ms, -z%
)
_JUNK_LINE = re.compile(r"^(?:#[\w/-]+(?:[ \t]+#[\w/-]+)*|[\d.,%]+|[^\w\s]{1,3})$")
"""A paragraph that is a tag line (`#ml #exam`), a number alone or an emoji alone: never a card."""
_NAVIGATION = re.compile(r"^(?i:resources?|ressources?|table of contents|contents|sommaire|table des matières|"
                         r"sources?|references?|références?|further reading|links?|liens?|see also|voir aussi)\W*$")
"""Headings of sections that only point elsewhere: their lists and tables are never cards."""
_LINK_CELL = re.compile(r"^\[[^\]\n]*\]\([^)\n]*\)$")
_TASK_ITEM = re.compile(r"^\s*\[[ xX]\]\s")
_CHECK_MARKS = "✅☑✔️ "


@dataclass
class Section:
    """A heading and the free blocks under it up to the next heading of any level."""

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


class Sections:
    name: ClassVar[str] = "sections"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        if reading.options.only != self.name:
            if not doc.headings:
                return  # prose without a heading has no structure to make cards from (unless asked)
            if reading.explicit_share() >= LESSON_SHARE:
                return
        root = _section_tree(reading)
        _absorb_link_headings(root)
        titled = root.children[0] if len(root.children) == 1 and root.children[0].level == 1 else None
        title = trim_time_note(plain_text(titled.heading) or titled.title) if titled else ""
        builder = _NoteBuilder(reading, doc, reading.doc.source.deck or title or doc.deck, title)
        if titled is None:
            builder.walk(root, [builder.deck])
        else:
            titled.blocks[:0] = root.blocks  # text above the title (metadata) is judged with the intro
            builder.walk(titled, [title])
        yield from builder.claims


def _section_tree(reading: Reading) -> Section:
    """The free blocks as a tree of sections: each heading nests under the nearest shallower one."""
    doc = reading.doc
    root = Section("", 0, 0)
    stack = [root]
    for block in doc.blocks:
        if not reading.free(block.start, block.end):
            continue
        if block.type == "heading":
            section = Section(block.content, block.level, block.start, doc.inline(block))
            while stack[-1].level >= block.level:
                stack.pop()
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].blocks.append(block)
    return root


@dataclass
class _NoteBuilder:
    reading: Reading
    doc: Document
    deck: str
    title: str
    claims: list[Claim] = field(default_factory=list)

    def walk(self, section: Section, trail: list[str], top: str = "") -> None:
        """Notes of `section`'s own content, then of each sub-section, the headings kept as context."""
        own, pseudo = _split_bold_headings(self.doc, section)
        if not _NAVIGATION.match(trail[-1] if section.level else ""):
            self.section_notes(section, own, trail[:-1], top)
        for child in pseudo + section.children:
            name = trim_time_note(plain_text(child.heading) or child.title)
            self.walk(child, trail + [name], top or name)

    def section_notes(self, section: Section, blocks: list[Block], trail: list[str], top: str) -> None:
        """The section's notes as one claim: its table rows and checklists, then the section note."""
        lines = self.doc.lines
        own_trail = trail + _own_name(section)
        kept: list[Block] = []
        notes: list[Note] = []
        used: list[Block] = []
        for block in blocks:
            if block.type == "table" and not _is_figure(block):
                rows = self.table_notes(block, own_trail, top)
                notes.extend(rows)
                used += [block] if rows else []
            elif _is_checklist(self.doc, section, block):
                label = self.checklist_note(section, blocks, block, own_trail, top, notes)
                used += [block] + ([label] if label is not None else [])
            elif _is_content(self.doc, block) and not (_says_checklist(section) and _is_label(block)):
                kept.append(block)
        kept = [b for b in kept if not (_is_lead_in(b) and _next(blocks, b) not in kept + [None])]
        ranges = [(b.start, b.end) for b in used]
        if kept and not all(_is_lead_in(b) for b in kept):
            heading = section.title if section.level else (self.title or self.deck)
            line = section.line if section.level else kept[0].start
            notes.append(self.note(NoteKind.SECTION, heading, _slice(lines, kept), line, kept[0].start, trail, top))
            ranges += [(b.start, b.end) for b in kept]
            if section.level:
                ranges.append((section.line, section.line + 1))
        if notes:
            self.claims.append(Claim(tuple(sorted(set(ranges))), tuple(notes)))

    def table_notes(self, table: Block, trail: list[str], top: str) -> list[Note]:
        header, rows = _table_cells(table)
        notes = []
        for line, cells in rows:
            if not cells or not cells[0] or any(_is_placeholder(c) for c in cells) or all(map(_is_link, cells)):
                continue
            back = [f"**{label}** : {cell}" if label else cell for label, cell in zip(header[1:], cells[1:]) if cell]
            if back:
                notes.append(self.note(NoteKind.TABLE_ROW, cells[0], "\n\n".join(back), line, line, trail, top))
        return notes

    def checklist_note(
        self, section: Section, blocks: list[Block], block: Block, trail: list[str], top: str, notes: list[Note]
    ) -> Block | None:
        """Add the checklist's note; returns the label paragraph it used, if any."""
        previous = _previous(blocks, block)
        label_block = previous if previous is not None and _is_label(previous) else None
        if label_block is not None:
            label = label_block.content.rstrip(":").strip().lstrip(_CHECK_MARKS).strip()
            heading, line = f"{section.title} — {label}", label_block.start
        else:
            heading, line = section.title, section.line
        notes.append(self.note(NoteKind.CHECKLIST, heading, _slice(self.doc.lines, [block]), line, block.start,
                               trail, top))
        return label_block

    def note(self, kind: NoteKind, question: str, answer: str, line: int, answer_line: int, trail: list[str],
             top: str) -> Note:
        tag = tag_slug(top)
        context = (" > ".join(p for p in trail if p), top, (tag,) if tag else ())
        return self.reading.note(kind, question, answer, line, answer_line, deck=self.deck, context=context)


def _own_name(section: Section) -> list[str]:
    return [trim_time_note(plain_text(section.heading) or section.title)] if section.level else []


def _next(blocks: list[Block], block: Block) -> Block | None:
    position = next(i for i, b in enumerate(blocks) if b is block)
    return blocks[position + 1] if position + 1 < len(blocks) else None


def _previous(blocks: list[Block], block: Block) -> Block | None:
    position = next(i for i, b in enumerate(blocks) if b is block)
    return blocks[position - 1] if position > 0 else None


def _absorb_link_headings(section: Section) -> None:
    """Remove link-only headings; their text goes back to the section it interrupted.

    `## [Quiz avant le cours](...)` sits in the middle of a lesson's introduction:
    the text under it continues whatever came before it in the document.
    """
    kept: list[Section] = []
    for child in section.children:
        if is_link_only(child.heading):
            (_last_open(kept[-1]) if kept else section).blocks.extend(child.blocks)
            kept.extend(child.children)
        else:
            kept.append(child)
    section.children = kept
    for child in kept:
        _absorb_link_headings(child)


def _last_open(section: Section) -> Section:
    """The section whose text precedes whatever follows `section` in the document."""
    while section.children:
        section = section.children[-1]
    return section


def _split_bold_headings(doc: Document, section: Section) -> tuple[list[Block], list[Section]]:
    """Blocks before the first bold-only paragraph, and one pseudo-section per bold-only paragraph."""
    own: list[Block] = []
    pseudo: list[Section] = []
    for block in section.blocks:
        children = doc.inline(block) if block.type == "paragraph" else []
        if children and is_bold_only(children):
            text = block.tokens[1].content.strip()
            title = text[2:-2].strip() if text.startswith("**") and text.endswith("**") else text
            pseudo.append(Section(title, section.level + 1, block.start, children))
        elif pseudo:
            pseudo[-1].blocks.append(block)
        else:
            own.append(block)
    return own, pseudo


def _is_content(doc: Document, block: Block) -> bool:
    if block.type in ("hr", "heading"):
        return False
    if block.type == "html_block":
        return not block.tokens[0].content.lstrip().startswith("<!--")
    if block.type == "paragraph":
        text = block.tokens[1].content.strip()
        if _JUNK_LINE.match(text):
            return False
        return not is_link_only(doc.inline(block)) and not _is_placeholder(text)
    if block.type == "fence":
        info = block.tokens[0].info.strip().lower()
        return not (info in ("", "text", "md", "markdown") and len(_PLACEHOLDER.findall(block.tokens[0].content)) >= 2)
    if block.type in ("bullet_list", "ordered_list"):
        return not all(is_link_only(c) for c in _item_inlines(doc, _item_firsts(block)))
    return True


def _item_inlines(doc: Document, firsts: list[Token | None]) -> Iterator[list[Token]]:
    """Inline children of each list item's first paragraph (`_item_firsts`), for lists made of links only.

    Parsed one item at a time, as asked: `all(...)` over them stops at the first item
    that tells, and most lists tell at their first item.
    """
    for token in firsts:
        yield doc.children(token) if token is not None else []


def _item_firsts(block: Block) -> list[Token | None]:
    """The inline token of each top-level list item's first paragraph (None for an item that opens otherwise)."""
    firsts: list[Token | None] = []
    depth = 0
    for position, token in enumerate(block.tokens):
        if token.type == "list_item_open":
            depth += 1
            if depth == 1:
                following = block.tokens[position + 2] if position + 2 < len(block.tokens) else None
                firsts.append(following if following and following.type == "inline" else None)
        elif token.type == "list_item_close":
            depth -= 1
    return firsts


def _is_lead_in(block: Block) -> bool:
    """A paragraph that only announces what follows (`Voyons ... :`)."""
    return block.type == "paragraph" and block.tokens[1].content.rstrip().endswith(":")


def _says_checklist(section: Section) -> bool:
    return "checklist" in section.title.lower()


def _is_checklist(doc: Document, section: Section, block: Block) -> bool:
    if block.type not in ("bullet_list", "ordered_list"):
        return False
    firsts = _item_firsts(block)
    if firsts and all(_TASK_ITEM.match(item[0].content if item else "") for item in _item_inlines(doc, firsts)):
        return True
    return _says_checklist(section)


def _is_label(block: Block) -> bool:
    """A short paragraph naming the list after it: `✅ **Données** :`."""
    if block.type != "paragraph":
        return False
    text = block.tokens[1].content.strip()
    return text.endswith(":") and "\n" not in text and len(text) < 80


def _is_figure(table: Block) -> bool:
    """A table whose header cells hold only images: a picture grid with captions, not data."""
    header, _ = _table_cells(table)
    return all(not c or re.fullmatch(r"(\s*!\[[^\]]*\]\([^)]*\)\s*)+", c) for c in header)


def _table_cells(table: Block) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header labels and (0-based line, cells) of each body row, cells as written."""
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    in_head = False
    for token in table.tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            current = header if in_head else []
            if not in_head:
                rows.append((token.map[0] if token.map else table.start, current))
        elif token.type == "inline" and current is not None:
            current.append(token.content.strip())
    return header, rows


def _is_link(cell: str) -> bool:
    """A cell holding one Markdown link and nothing else: a row of links is navigation, not a card."""
    return bool(_LINK_CELL.match(cell.strip()))


def _is_placeholder(text: str) -> bool:
    """A cell or paragraph that is a blank to fill in: `[Problème 1]`, `x%`, `x ms`."""
    text = text.strip()
    return bool(text) and bool(re.fullmatch(rf"(?:{_PLACEHOLDER.pattern})(?:\s*→.*)?", text))


def _slice(lines: list[str], blocks: list[Block]) -> str:
    """The blocks' source lines as written; runs that were not adjacent are joined by a blank line."""
    runs: list[tuple[int, int]] = []
    for block in blocks:
        if runs and _only_blank(lines, runs[-1][1], block.start):
            runs[-1] = (runs[-1][0], block.end)
        else:
            runs.append((block.start, block.end))
    parts = ["\n".join(line.rstrip() if not line.strip() else line for line in lines[a:b]).strip("\n") for a, b in runs]
    return "\n\n".join(p.rstrip() for p in parts if p.strip())


def _only_blank(lines: list[str], start: int, end: int) -> bool:
    return all(not line.strip() for line in lines[start:end])
