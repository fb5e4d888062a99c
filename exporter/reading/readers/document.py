"""Lessons and workshop pages: a document without explicit questions becomes notes by its structure.

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
from dataclasses import dataclass
from typing import ClassVar

from markdown_it.token import Token

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.readers import SourceFile, register
from exporter.reading.readers.structure import (
    Block,
    Section,
    deck_from_path,
    inline_children,
    is_bold_only,
    is_link_only,
    parse_sections,
    plain_text,
    tag_slug,
    trim_time_note,
)

_ANY_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S", re.MULTILINE)
_PLACEHOLDER = re.compile(
    r"(?<![\w\]\[])\[[^\W\d_][^\]\n]*\](?![(\[:])"  # [Problème 1], [résultat]
    r"|(?<!\w)[+-]?[xyz]\s?(?:%|ms|MB|Go|GB|s)(?!\w)"  # x%, y ms, -z%
)
_TASK_ITEM = re.compile(r"^\s*\[[ xX]\]\s")
_CHECK_MARKS = "✅☑✔️ "


@register
class DocumentReader:
    name: ClassVar[str] = "document"

    def detect(self, source: SourceFile) -> float:
        """The fallback: any text with a Markdown heading, never ahead of a reader that knows the format."""
        return 0.1 if _ANY_HEADING.search(source.text) else 0.0

    def read(self, source: SourceFile, diagnostics: Diagnostics) -> list[Note]:
        root = parse_sections(source.text)
        _absorb_link_headings(root)
        titled = root.children[0] if len(root.children) == 1 and root.children[0].level == 1 else None
        title = trim_time_note(plain_text(titled.heading) or titled.title) if titled else ""
        deck = source.deck or title or deck_from_path(source.path)
        builder = _NoteBuilder(source, deck, title)
        if titled is None:
            builder.walk(root, [deck])
        else:
            titled.blocks[:0] = root.blocks  # text above the title (metadata) is judged with the intro
            builder.walk(titled, [title])
        if not builder.notes:
            diagnostics.warning(source.path, 0, "no-notes", "document has no section with content to make notes from")
        return builder.notes


@dataclass
class _NoteBuilder:
    source: SourceFile
    deck: str
    title: str

    def __post_init__(self) -> None:
        self.notes: list[Note] = []

    def walk(self, section: Section, trail: list[str], top: str = "") -> None:
        """Notes of `section`'s own content, then of each sub-section, the headings kept as context."""
        own, pseudo = _split_bold_headings(section)
        self.section_note(section, own, trail[:-1], top)
        for child in pseudo + section.children:
            name = trim_time_note(plain_text(child.heading) or child.title)
            self.walk(child, trail + [name], top or name)

    def section_note(self, section: Section, blocks: list[Block], trail: list[str], top: str) -> None:
        lines = self.source.lines
        own_trail = trail + _own_name(section)
        kept: list[Block] = []
        for block in blocks:
            if block.type == "table" and not _is_figure(block):
                self.table_notes(block, own_trail, top)
            elif _is_checklist(section, block):
                self.checklist_note(section, blocks, block, own_trail, top)
            elif _is_content(block) and not (_says_checklist(section) and _is_label(block)):
                kept.append(block)
        kept = [b for b in kept if not (_is_lead_in(b) and _next(blocks, b) not in kept + [None])]
        if not kept or all(_is_lead_in(b) for b in kept):
            return
        heading = section.title if section.level else (self.title or self.deck)
        line = section.line if section.level else kept[0].start
        self.add(NoteKind.SECTION, heading, _slice(lines, kept), line, trail, top)

    def table_notes(self, table: Block, trail: list[str], top: str) -> None:
        header, rows = _table_cells(table)
        for line, cells in rows:
            if not cells or not cells[0] or any(_is_placeholder(c) for c in cells):
                continue
            back = [f"**{label}** : {cell}" if label else cell for label, cell in zip(header[1:], cells[1:]) if cell]
            if back:
                self.add(NoteKind.TABLE_ROW, cells[0], "\n\n".join(back), line, trail, top)

    def checklist_note(self, section: Section, blocks: list[Block], block: Block, trail: list[str], top: str) -> None:
        previous = _previous(blocks, block)
        if previous is not None and _is_label(previous):
            label = previous.tokens[1].content.strip().rstrip(":").strip().lstrip(_CHECK_MARKS).strip()
            heading, line = f"{section.title} — {label}", previous.start
        else:
            heading, line = section.title, section.line
        self.add(NoteKind.CHECKLIST, heading, _slice(self.source.lines, [block]), line, trail, top)

    def add(self, kind: NoteKind, question: str, answer: str, line: int, trail: list[str], top: str) -> None:
        tag = tag_slug(top)
        self.notes.append(
            Note(
                deck=self.deck,
                kind=kind,
                question=question,
                answer=answer,
                source=SourceLocation(self.source.path, line + 1),
                tags=(tag,) if tag else (),
                context=" > ".join(p for p in trail if p),
                section=top,
            )
        )


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


def _split_bold_headings(section: Section) -> tuple[list[Block], list[Section]]:
    """Blocks before the first bold-only paragraph, and one pseudo-section per bold-only paragraph."""
    own: list[Block] = []
    pseudo: list[Section] = []
    for block in section.blocks:
        children = inline_children(block) if block.type == "paragraph" else []
        if children and is_bold_only(children):
            text = block.tokens[1].content.strip()
            title = text[2:-2].strip() if text.startswith("**") and text.endswith("**") else text
            pseudo.append(Section(title, section.level + 1, block.start, children))
        elif pseudo:
            pseudo[-1].blocks.append(block)
        else:
            own.append(block)
    return own, pseudo


def _is_content(block: Block) -> bool:
    if block.type in ("hr", "heading"):
        return False
    if block.type == "html_block":
        return not block.tokens[0].content.lstrip().startswith("<!--")
    if block.type == "paragraph":
        children = inline_children(block)
        text = block.tokens[1].content.strip()
        return not is_link_only(children) and not _is_placeholder(text)
    if block.type == "fence":
        info = block.tokens[0].info.strip().lower()
        return not (info in ("", "text", "md", "markdown") and len(_PLACEHOLDER.findall(block.tokens[0].content)) >= 2)
    if block.type in ("bullet_list", "ordered_list"):
        return not all(is_link_only(c) for c in _item_inlines(block))
    return True


def _item_inlines(block: Block) -> list[list[Token]]:
    """Inline children of each list item's first paragraph, for lists made of links only."""
    items: list[list[Token]] = []
    depth = 0
    for position, token in enumerate(block.tokens):
        if token.type == "list_item_open":
            depth += 1
            if depth == 1:
                following = block.tokens[position + 2] if position + 2 < len(block.tokens) else None
                items.append(list(following.children or []) if following and following.type == "inline" else [])
        elif token.type == "list_item_close":
            depth -= 1
    return items


def _is_lead_in(block: Block) -> bool:
    """A paragraph that only announces what follows (`Voyons ... :`)."""
    return block.type == "paragraph" and block.tokens[1].content.rstrip().endswith(":")


def _says_checklist(section: Section) -> bool:
    return "checklist" in section.title.lower()


def _is_checklist(section: Section, block: Block) -> bool:
    if block.type not in ("bullet_list", "ordered_list"):
        return False
    items = _item_inlines(block)
    texts = [item[0].content if item else "" for item in items]
    if items and all(_TASK_ITEM.match(t) for t in texts):
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
