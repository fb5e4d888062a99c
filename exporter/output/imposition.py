"""Place card-sized PDF pages on sheets of paper, with cut lines, labels and page numbers.

WeasyPrint lays each card face out on a page the size of the card, so a long answer
breaks between lines (orphans and widows kept) exactly as on a sheet, with no text ever
shrunk. This module then puts those small pages on A4 or Letter with pypdf: each is
drawn translated to its cell. Labels ("2/3", page numbers) use the PDF's built-in
Helvetica, which needs no embedded font.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exporter.output.cardsizes import CardGrid

PT_PER_MM = 72 / 25.4
LABEL_PT = 8.0


@dataclass(frozen=True)
class Placed:
    """One card-sized page to draw in one grid cell, with an optional label in its top-right corner."""

    page: Any
    """A pypdf PageObject, or None for an empty face (the back of a continuation-only front)."""
    cell: int
    label: str = ""
    text: str = ""
    """Text drawn in the card instead of a page (a continuation front: "12 — suite")."""


def pdf_string(text: str) -> str:
    """`text` as a PDF literal string in WinAnsi (Helvetica's encoding), parentheses escaped."""
    raw = text.encode("cp1252", errors="replace").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _text(x_pt: float, y_pt: float, text: str, size: float = LABEL_PT, right: bool = False) -> str:
    width = 0.5 * size * len(text)  # Helvetica's average advance: close enough to right-align a label
    x = x_pt - width if right else x_pt
    return f"BT /FHelv {size:g} Tf 0.33 g {x:.2f} {y_pt:.2f} Td {pdf_string(text)} Tj ET\n"


def cut_lines(grid: CardGrid) -> str:
    """Thin grey lines along every card edge; a dashed one down the fold of a fold-in-half sheet."""
    width, height = (v * PT_PER_MM for v in grid.paper)
    left, top = grid.margin
    ops = ["q 0.6 G 0.25 w\n"]
    for c in range(grid.columns + 1):
        x = (left + c * grid.card[0]) * PT_PER_MM
        dash = "[3 2] 0 d" if grid.fold and c == 1 else "[] 0 d"
        ops.append(f"{dash} {x:.2f} 0 m {x:.2f} {height:.2f} l S\n")
    for r in range(grid.rows + 1):
        y = height - (top + r * grid.card[1]) * PT_PER_MM
        ops.append(f"[] 0 d 0 {y:.2f} m {width:.2f} {y:.2f} l S\n")
    ops.append("Q\n")
    return "".join(ops)


def form_xobject(writer: Any, page: Any) -> Any:
    """`page` of another PDF as a Form XObject of `writer`: drawn where wanted with one `Do`.

    Much cheaper than pypdf's page merging, which rewrites every resource name on each merge.
    A page drawn in one deflated stream (as WeasyPrint writes every page) lends the form its
    deflated bytes as they are: decoding them and deflating them again (pypdf, at zlib's
    level 6) drew the same page for 2% of the cards' CPU.
    """
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    form = _deflated_copy(page.get("/Contents"))
    if form is None:
        contents = page.get_contents()
        decoded = DecodedStreamObject()
        decoded.set_data(contents.get_data() if contents is not None else b"")
        form = decoded.flate_encode()
    box = page.mediabox
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]),
        NameObject("/Resources"): page["/Resources"].clone(writer),
    })
    return writer._add_object(form)


def _deflated_copy(contents: Any) -> Any:
    """A new stream of `contents`' deflated bytes when it is one stream deflated and nothing more; else None."""
    from pypdf.generic import EncodedStreamObject, NameObject

    stream = contents.get_object() if contents is not None else None
    if not isinstance(stream, EncodedStreamObject) or set(stream) - {"/Length", "/Filter"}:
        return None
    if stream.get("/Filter") != "/FlateDecode":
        return None
    copy = EncodedStreamObject()
    copy._data = stream._data
    copy[NameObject("/Filter")] = NameObject("/FlateDecode")
    return copy


def draw_sheet(writer: Any, grid: CardGrid, placed: list[Placed], page_label: str, cut: bool = True,
               background: Any = None) -> None:
    """Add one sheet to `writer`: every placed page in its cell, then lines, labels and the page number.

    `Placed.page` is a Form XObject of `writer` (see `form_xobject`). `background`, a page of
    another PDF the size of the paper (the faces laid out in their cells), is drawn between the
    cut lines and the placed pages.
    """
    from pypdf.generic import DictionaryObject, NameObject

    width, height = (v * PT_PER_MM for v in grid.paper)
    if background is None:
        sheet = writer.add_blank_page(width=width, height=height)
    else:
        sheet = writer.add_page(background)
        if "/Annots" in sheet:
            del sheet["/Annots"]  # as on faces placed from card pages: no links, no anchors
    under = cut_lines(grid) if cut else ""
    ops = []
    forms = DictionaryObject()
    card_w, card_h = (v * PT_PER_MM for v in grid.card)
    for item in placed:
        left_mm, top_mm = grid.cell(item.cell)
        x, y_top = left_mm * PT_PER_MM, height - top_mm * PT_PER_MM
        if item.page is not None:
            name = f"/Card{item.cell}"
            forms[NameObject(name)] = item.page
            ops.append(f"q 1 0 0 1 {x:.3f} {y_top - card_h:.3f} cm {name} Do Q\n")
        if item.label:
            # in the face's 4 mm top margin, so it never touches the text
            ops.append(_text(x + card_w - 4.5 * PT_PER_MM, y_top - 9.0, item.label, right=True))
        if item.text:
            ops.append(_text(x + 4.5 * PT_PER_MM, y_top - 4 * PT_PER_MM - LABEL_PT * 0.8, item.text, 9.5))
    if page_label:
        ops.append(_text(width - 8 * PT_PER_MM, 3 * PT_PER_MM, page_label, right=True))
    _set_contents(writer, sheet, under, "".join(ops), forms, background is not None)


def _stream(writer: Any, ops: str) -> Any:
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(ops.encode("latin-1"))
    return writer._add_object(stream.flate_encode())


def _set_contents(writer: Any, page: Any, under: str, over: str, forms: Any, keep: bool) -> None:
    """Give a page of `writer` its drawing, with Helvetica and the card forms as resources.

    `keep`: the page already has a drawing (and resources), drawn between `under` and `over`
    in its own graphics state; its resources are copied, never shared with other pages.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    fonts = DictionaryObject({NameObject("/FHelv"): _helvetica()})
    if not keep:
        page[NameObject("/Contents")] = _stream(writer, under + over)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): fonts, NameObject("/XObject"): forms,
        })
        return
    contents = page.get("/Contents")
    existing = contents.get_object() if contents is not None else ArrayObject()
    drawn = list(existing) if isinstance(existing, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([_stream(writer, under + "q\n"), *drawn, _stream(writer, "Q\n" + over)])
    resources = DictionaryObject()
    resources.update(_dictionary(page["/Resources"]))
    for key, extra in (("/Font", fonts), ("/XObject", forms)):
        merged = DictionaryObject()
        if key in resources:
            merged.update(_dictionary(resources[key]))
        merged.update(extra)
        resources[NameObject(key)] = merged
    page[NameObject("/Resources")] = resources


def _dictionary(value: Any) -> Any:
    """The dictionary `value` is or points to."""
    from pypdf.generic import DictionaryObject

    found = value.get_object()
    return found if isinstance(found, DictionaryObject) else DictionaryObject()


def _helvetica() -> Any:
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })
