"""Cut-out cards: each face laid out once, in its cell of a side of paper or on card-sized pages.

A face that surely fits one card (`cardfit.surely_fits`, checked after layout) is laid
out straight in its cell of the side of paper it is printed on: one WeasyPrint page a
side. The others are laid out on card-sized pages, then placed on the sides: an answer
longer than a card simply continues on the next card-sized page, which becomes the next
card ("12 · 2/3"), text staying at its size (never under 8 pt). An answer needing more
than MAX_BACK_CARDS cards is printed whole in a "Long answers" part after the cards, and
its card's back gives the real page number there. The title page and the contents (with
the sheets' page numbers) are a small layout of their own. The long answers are the same
card-sized pages, set in reading order on pages after the cards.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from exporter.language import label
from exporter.output.cardfit import CARD_PADDING_MM, surely_fits
from exporter.output.cardsizes import CardGrid, card_grid
from exporter.output.imposition import PT_PER_MM, Placed, draw_sheet, form_xobject
from exporter.output.sheets import SheetDeck, SheetItem
from exporter.output.writers import WriteOptions

MAX_BACK_CARDS = 3
"""An answer needing more cards than this goes to the long answers, its back points there."""
WRITING_LINES = {"2x4": 5, "fold": 5, "index": 6, "a6": 16}


@dataclass(frozen=True)
class Card:
    """One physical card: the pages drawn on its two sides and its "k/n" label."""

    number: int
    front: Any
    back: Any
    label: str
    continued: bool
    """A card that only carries the rest of an answer: its front says whose."""


def faces_by_anchor(document: Any) -> dict[str, list[Any]]:
    """`f12`/`b12` -> the pages that face fills, in order; a face starts on the page holding its id."""
    faces: dict[str, list[Any]] = {}
    current = ""
    for page in document.pages:
        starts = [a for a in page.anchors if a[:1] in "fb" and a[1:].isdigit()]
        if starts:
            current = starts[0]
        if current:
            faces.setdefault(current, []).append(page)
    return faces


IN_CELL = "in its cell"
"""A face laid out straight in its cell of a side of cards (`card-sides.html.j2`), not on a card page."""
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class Cell:
    """Where one face goes on a side of paper, and what draws it."""

    cell: int
    card: Card
    front: bool

    @property
    def page(self) -> Any:
        return self.card.front if self.front else self.card.back


def write_cards(sheet: SheetDeck, options: WriteOptions, render: Any, template: Any) -> tuple[bytes, str]:
    """The cards PDF's bytes and the HTML of its faces (what the PDF's identifier is derived from).

    `render(markup)` lays out HTML with WeasyPrint; `template(name, **values)` fills a template.
    Faces that surely fit a card are laid out in their cells of the sides of paper, one page
    a side; the others on card-sized pages, as many as each needs. A face that turned out not
    to fit its cell goes on card pages and the cards are laid out again.
    """
    from pypdf import PdfReader, PdfWriter

    grid = card_grid(options.card_size, options.paper)
    items = sheet.items
    lines = WRITING_LINES.get(grid.name, 5)
    size = {"card_width": grid.card[0], "card_height": grid.card[1], "writing_lines": lines}
    faces_html = template("faces.html.j2", faces=items, long_pages={}, **size)
    in_cells = {f"{side}{item.number}" for item in items for side in "fb"
                if surely_fits(item, side == "f", grid.card, lines)}
    while True:
        on_pages = {f"{side}{item.number}" for item in items for side in "fb"} - in_cells
        faces_doc = render(template("faces.html.j2", faces=items, long_pages={}, only=on_pages, **size)) \
            if on_pages else None
        faces = faces_by_anchor(faces_doc) if faces_doc is not None else {}
        faces.update({face: [IN_CELL] for face in in_cells})
        long_items = [i for i in items if not i.is_open and len(faces.get(f"b{i.number}", ())) > MAX_BACK_CARDS]
        long_numbers = {i.number for i in long_items}
        cards, first_card = _cards(items, faces, long_numbers)
        sides = _sides(cards, grid)
        cells_doc = render(template(
            "card-sides.html.j2", faces=items, long_pages={}, cells=True, sides=_cells_markup(sides, grid, items),
            paper_width=grid.paper[0], paper_height=grid.paper[1], grid_left=grid.margin[0], grid_top=grid.margin[1],
            grid_width=grid.columns * grid.card[0], **size)) if in_cells else None
        overflowing = _overflowing(cells_doc, sides, grid) if cells_doc is not None else set()
        if not overflowing:
            break
        in_cells -= overflowing

    # Long answers: their card-sized pages, in reading order on plain pages after the cards.
    panels = [(item.number, page, f"{item.number} · {k + 1}/{len(faces[f'b{item.number}'])}")
              for item in long_items for k, page in enumerate(faces[f"b{item.number}"])]
    per_page = grid.columns * grid.rows
    appendix_pages = -(-len(panels) // per_page)

    sheet_count = -(-len(cards) // grid.per_sheet)
    pages_per_sheet = 1 if grid.fold else 2
    front_pages, matter = matter_pages_guess(sheet), None
    for _ in range(3):  # the contents' length does not depend on its numbers: settles at the second pass
        first_sheet_page = front_pages + (front_pages % 2 if not grid.fold else 0) + 1
        after_cards = first_sheet_page + sheet_count * pages_per_sheet
        toc_pages = _toc_pages(sheet, first_card, grid, first_sheet_page, pages_per_sheet)
        if long_items:
            toc_pages["long-answers"] = after_cards
        matter = render(template("cards.html.j2", toc_pages=toc_pages))
        if len(matter.pages) == front_pages:
            break
        front_pages = len(matter.pages)
    assert matter is not None

    documents = [faces_doc] if faces_doc is not None else []
    if long_items:
        first_panel: dict[int, int] = {}
        for index, (number, _, _) in enumerate(panels):
            first_panel.setdefault(number, index)
        long_pages = {n: label(sheet.language, "long_answer", page=after_cards + i // per_page)
                      for n, i in first_panel.items()}
        long_doc = render(template("faces.html.j2", faces=long_items, long_pages=long_pages, **size))
        long_backs = faces_by_anchor(long_doc)
        cards = [Card(c.number, c.front, long_backs[f"b{c.number}"][0], c.label, c.continued)
                 if c.number in long_numbers else c for c in cards]
        sides = _sides(cards, grid)
        documents.append(long_doc)

    # Every page WeasyPrint laid out (contents, faces on card pages, sides of cells) goes
    # through one PDF: one font subset and one PDF to read, not one per document. Face pages
    # become Form XObjects of the output, the sides of cells the backgrounds of their sheets.
    writer = PdfWriter()
    used = {id(side) for card in cards for side in (card.front, card.back) if side is not None}
    used |= {id(page) for _, page, _ in panels}
    face_pages = [page for document in documents for page in document.pages if id(page) in used]  # not long tails
    cell_pages = cells_doc.pages if cells_doc is not None else []
    laid_out = PdfReader(io.BytesIO(matter.copy([*matter.pages, *face_pages, *cell_pages]).write_pdf())).pages
    matter_count = len(matter.pages)
    forms = {id(page): form_xobject(writer, laid_out[matter_count + index]) for index, page in enumerate(face_pages)}
    cells_pages = [laid_out[index] for index in range(matter_count + len(face_pages), len(laid_out))]

    total = after_cards - 1 + appendix_pages
    for index in range(matter_count):
        writer.add_page(laid_out[index])
    if first_sheet_page - 1 > front_pages:
        writer.add_blank_page(width=grid.paper[0] * PT_PER_MM, height=grid.paper[1] * PT_PER_MM)
    continued = label(sheet.language, "continued")

    def form(page: Any) -> Any:
        return forms[id(page)] if page is not None and page is not IN_CELL else None

    for index, side in enumerate(sides):
        placed = [Placed(form(c.page), c.cell, c.card.label,
                         f"{c.card.number} ({continued})" if c.front and c.card.continued else "") for c in side]
        background = cells_pages[index] if any(c.page is IN_CELL for c in side) else None
        draw_sheet(writer, grid, placed, f"{first_sheet_page + index} / {total}", background=background)
    number = first_sheet_page + len(sides)
    for start in range(0, len(panels), per_page):
        chunk = panels[start : start + per_page]
        draw_sheet(writer, grid, [Placed(form(page), i, text) for i, (_, page, text) in enumerate(chunk)],
                   f"{number} / {total}", cut=False)
        number += 1
    _outline(writer, sheet, toc_pages)
    writer.add_metadata({"/Title": sheet.name, "/Producer": "exporter"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), faces_html


def _cards(items: list[SheetItem], faces: dict[str, list[Any]], long_numbers: set[int]) -> tuple[list[Card], dict[int, int]]:
    """Every card in order (as many for an item as its longer face has pages), and each item's first card."""
    cards: list[Card] = []
    first_card: dict[int, int] = {}
    for item in items:
        fronts = faces.get(f"f{item.number}", [])
        backs = faces.get(f"b{item.number}", [])[: 1 if item.number in long_numbers else None]
        count = max(len(fronts), len(backs), 1)
        first_card[item.number] = len(cards)
        for k in range(count):
            cards.append(Card(item.number, fronts[k] if k < len(fronts) else None,
                              backs[k] if k < len(backs) else None,
                              f"{item.number} · {k + 1}/{count}" if count > 1 else "", k >= len(fronts)))
    return cards, first_card


def _sides(cards: list[Card], grid: CardGrid) -> list[list[Cell]]:
    """The faces of each side of paper, in drawing order: fronts, then the mirrored backs (or, folded, both)."""
    sides: list[list[Cell]] = []
    for start in range(0, len(cards), grid.per_sheet):
        fronts, backs = [], []
        for index, card in enumerate(cards[start : start + grid.per_sheet]):
            if grid.fold:  # all fronts drawn first: a question over two cards reads on in the PDF's text
                fronts.append(Cell(index * 2, card, True))
                backs.append(Cell(index * 2 + 1, card, False))
                continue
            row, column = divmod(index, grid.columns)
            fronts.append(Cell(index, card, True))
            backs.append(Cell(row * grid.columns + grid.columns - 1 - column, card, False))
        sides.extend([fronts + backs] if grid.fold else [fronts, backs])
    return sides


def _cells_markup(sides: list[list[Cell]], grid: CardGrid, items: list[SheetItem]) -> list[list[dict[str, Any] | None]]:
    """For `card-sides.html.j2`: per side, its cells row by row, each face laid out there or None."""
    index = {item.number: i for i, item in enumerate(items)}
    markup: list[list[dict[str, Any] | None]] = []
    for side in sides:
        cells: list[dict[str, Any] | None] = [None] * (grid.columns * grid.rows)
        for c in side:
            if c.page is IN_CELL:
                cells[c.cell] = {"item": index[c.card.number], "front": c.front}
        while cells and cells[-1] is None:
            cells.pop()
        markup.append(cells)
    return markup


def _overflowing(document: Any, sides: list[list[Cell]], grid: CardGrid) -> set[str]:
    """The faces in cells whose content runs below their card's bottom margin (or off their page)."""
    over: set[str] = set()
    for page, side in zip(document.pages, sides):
        ends = face_ends(page)
        for c in side:
            if c.page is not IN_CELL:
                continue
            face = f"{'f' if c.front else 'b'}{c.card.number}"
            end = ends.get(face)
            limit = (grid.cell(c.cell)[1] + grid.card[1] - CARD_PADDING_MM[0]) * PX_PER_MM
            if end is None or end > limit:
                over.add(face)
    if len(document.pages) != len(sides):
        over |= {f"{'f' if c.front else 'b'}{c.card.number}" for side in sides for c in side if c.page is IN_CELL}
    return over


def face_ends(page: Any) -> dict[str, float]:
    """`f12`/`b12` -> where the face's content ends on a laid-out page: its lowest in-flow margin edge, in px.

    That is where a block after the face's content would start, bottom margins included
    (tests/writers/test_cards.py compares it with such an empty marker block's position).
    Read from WeasyPrint's boxes rather than from a marker element in each cell: laying out
    484 marker blocks was 5% of the cut-out cards. A page WeasyPrint does not expose boxes
    for gives no ends, so its faces count as not fitting.
    """
    ends: dict[str, float] = {}
    root = getattr(page, "_page_box", None)
    if root is None:
        return ends
    stack: list[tuple[Any, str | None]] = [(root, None)]
    while stack:
        box, face = stack.pop()
        element = getattr(box, "element", None)
        if face is None and box.element_tag == "section" and element is not None:
            anchor = element.get("id") or ""
            if anchor[:1] in ("f", "b") and anchor[1:].isdigit():
                face = anchor
                ends[face] = max(ends.get(face, box.content_box_y()), box.content_box_y())
                stack.extend((child, face) for child in getattr(box, "children", ()))
                continue
        if face is not None:
            if not box.is_in_normal_flow():
                continue  # floats and absolutes (list bullets) do not push a following block down
            ends[face] = max(ends[face], box.position_y + box.margin_height())
        stack.extend((child, face) for child in getattr(box, "children", ()))
    return ends


TOC_ENTRIES_PER_PAGE = 42
"""Contents lines that fit an A4 or Letter page under the "Contents" heading (10 pt, 1.35 lines, 1 mm apart)."""


def matter_pages_guess(sheet: SheetDeck) -> int:
    """The title page and the contents' length, guessed from the number of contents lines.

    The title and contents are laid out with the sheets' page numbers, which depend on their
    own length: a right guess lays them out once, a wrong one costs a second layout (the loop
    in `write_cards` checks it), never a wrong number.
    """
    entries = sum(bool(part.label) + sum(1 for topic in part.topics if topic.title) for part in sheet.parts)
    return 1 + max(1, -(-entries // TOC_ENTRIES_PER_PAGE))


def _toc_pages(sheet: SheetDeck, first_card: dict[int, int], grid: CardGrid, first_page: int,
               pages_per_sheet: int) -> dict[str, int]:
    """Anchor of each part and topic -> the page number of the sheet holding its first card's front."""
    def page_of(item: SheetItem) -> int:
        return first_page + first_card[item.number] // grid.per_sheet * pages_per_sheet

    pages: dict[str, int] = {}
    for part in sheet.parts:
        firsts = [t.items[0] for t in part.topics if t.items]
        if firsts:
            pages[part.anchor] = page_of(firsts[0])
        for topic in part.topics:
            if topic.items:
                pages[topic.anchor] = page_of(topic.items[0])
    return pages


def _outline(writer: Any, sheet: SheetDeck, toc_pages: dict[str, int]) -> None:
    """Bookmarks: the deck, then each part and topic at the sheet of its first card, then the long answers."""
    root = writer.add_outline_item(title=sheet.name, page_number=0)
    for part in sheet.parts:
        parent = root
        if part.label and part.anchor in toc_pages:
            parent = writer.add_outline_item(title=part.label, page_number=toc_pages[part.anchor] - 1, parent=root)
        for topic in part.topics:
            if topic.title and topic.anchor in toc_pages:
                writer.add_outline_item(title=topic.title, page_number=toc_pages[topic.anchor] - 1, parent=parent)
    if "long-answers" in toc_pages:
        writer.add_outline_item(title=label(sheet.language, "long_answers"), page_number=toc_pages["long-answers"] - 1,
                                parent=root)
