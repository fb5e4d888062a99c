"""Cut-out cards: every face laid out once on a card-sized page, then placed on sheets.

One WeasyPrint layout of all the faces is both the measure and the print: an answer
longer than a card simply continues on the next card-sized page, which becomes the
next card ("12 · 2/3"), text staying at its size (never under 8 pt). An answer needing
more than MAX_BACK_CARDS cards is printed whole in a "Long answers" part after the
cards, and its card's back gives the real page number there. The title page and the
contents (with the sheets' page numbers) are a second, small layout. The long answers are
the same card-sized pages, set in reading order on pages after the cards: no third layout.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from exporter.language import label
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


def write_cards(sheet: SheetDeck, options: WriteOptions, render: Any, template: Any) -> tuple[bytes, str]:
    """The cards PDF's bytes and the HTML of its faces (what the PDF's identifier is derived from).

    `render(markup)` lays out HTML with WeasyPrint; `template(name, **values)` fills a template.
    """
    from pypdf import PdfReader, PdfWriter

    grid = card_grid(options.card_size, options.paper)
    items = sheet.items
    lines = WRITING_LINES.get(grid.name, 5)
    size = {"card_width": grid.card[0], "card_height": grid.card[1], "writing_lines": lines}
    faces_html = template("faces.html.j2", faces=items, long_pages={}, **size)
    faces_doc = render(faces_html)
    faces = faces_by_anchor(faces_doc)
    long_items = [i for i in items if not i.is_open and len(faces.get(f"b{i.number}", ())) > MAX_BACK_CARDS]
    long_numbers = {i.number for i in long_items}

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

    documents = [faces_doc]
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
        documents.append(long_doc)

    # Every face page becomes a Form XObject of the output through one PDF per WeasyPrint document.
    writer = PdfWriter()
    used = {id(side) for card in cards for side in (card.front, card.back) if side is not None}
    used |= {id(page) for _, page, _ in panels}
    forms = {}
    for document in documents:
        pages = [page for page in document.pages if id(page) in used]  # not the long answers' tails
        reader = PdfReader(io.BytesIO(document.copy(pages).write_pdf()))
        for index, page in enumerate(pages):
            forms[id(page)] = form_xobject(writer, reader.pages[index])

    total = after_cards - 1 + appendix_pages
    for page in PdfReader(io.BytesIO(matter.write_pdf())).pages:
        writer.add_page(page)
    if first_sheet_page - 1 > front_pages:
        writer.add_blank_page(width=grid.paper[0] * PT_PER_MM, height=grid.paper[1] * PT_PER_MM)
    continued = label(sheet.language, "continued")
    number = first_sheet_page

    def form(page: Any) -> Any:
        return forms[id(page)] if page is not None else None

    for start in range(0, len(cards), grid.per_sheet):
        fronts, backs = [], []
        for index, card in enumerate(cards[start : start + grid.per_sheet]):
            text = f"{card.number} ({continued})" if card.continued else ""
            if grid.fold:  # all fronts drawn first: a question over two cards reads on in the PDF's text
                fronts.append(Placed(form(card.front), index * 2, card.label, text))
                backs.append(Placed(form(card.back), index * 2 + 1, card.label))
                continue
            row, column = divmod(index, grid.columns)
            fronts.append(Placed(form(card.front), index, card.label, text))
            backs.append(Placed(form(card.back), row * grid.columns + grid.columns - 1 - column, card.label))
        for side in ([fronts + backs] if grid.fold else [fronts, backs]):
            draw_sheet(writer, grid, side, f"{number} / {total}")
            number += 1
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
