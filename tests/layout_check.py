"""Measure printed pages as a reader would see them: holes, tiny text, text off the page or overprinted.

Used by tests/test_layout_check.py and runnable on its own to print the table of every
shipped deck in every layout and paper size:

    .venv/bin/python -m tests.layout_check [OUT_DIR]

pypdfium2 reads the PDFs: it gives each character's box and size and each page object's
bounds (text, paths of the drawn formulas, images), which is what "blank", "small" and
"overprinted" are about.
"""

from __future__ import annotations

import ctypes
import html
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from exporter.language import LANGUAGES, label

MM = 72 / 25.4
INVISIBLE_PT = 1.5
"""Text at or below this size is the invisible search layer under drawn formulas, not print."""


@dataclass(frozen=True)
class Area:
    """The part of a page meant for content, in PDF points from the bottom left."""

    left: float
    bottom: float
    right: float
    top: float


@dataclass
class PageReport:
    number: int
    blank: float
    """Share of the text area's height left empty below the content (mean over columns)."""
    min_font: float
    outside: list[str] = field(default_factory=list)
    overprinted: list[str] = field(default_factory=list)


@dataclass
class PdfReport:
    path: Path
    pages: list[PageReport]
    text: str
    body_start: int
    """The 0-based index of the first page a topic's bookmark points at: title and contents come before."""
    section_ends: frozenset[int] = frozenset()
    """0-based indexes of pages that end a part printed from a new page (the quiz's questions)."""

    def max_blank(self, skip_last: bool = True) -> float:
        """The emptiest page's blank share; front matter, section ends and the last page are left out."""
        body = [p for p in self.pages[self.body_start:-1 if skip_last else None]
                if p.number - 1 not in self.section_ends]
        return max((p.blank for p in body), default=0.0)

    @property
    def min_font(self) -> float:
        return min((p.min_font for p in self.pages if p.min_font > 0), default=0.0)


def text_area(width: float, height: float, margins_mm: tuple[float, float, float, float]) -> Area:
    top, right, bottom, left = (m * MM for m in margins_mm)
    return Area(left, bottom, width - right, height - top)


def check_pdf(path: Path, margins_mm: tuple[float, float, float, float], columns: int = 1,
              band_mm: float = 12.0) -> PdfReport:
    """Every page's blank share, smallest visible font, characters outside and overprinted.

    `margins_mm` (top, right, bottom, left) bound the text area; the running header and the
    page number live in bands of `band_mm` just outside it, and count as inside.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(path))
    pages: list[PageReport] = []
    texts: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            area = text_area(width, height, margins_mm)
            textpage = page.get_textpage()
            count = textpage.count_chars()
            matrix = raw.FS_MATRIX()
            sizes: list[float] = []
            boxes: list[tuple[float, float, float, float, str]] = []
            report = PageReport(index + 1, 0.0, 0.0)
            kept: list[str] = []  # in drawing order, without the running header and page number
            for i in range(count):
                char = chr(raw.FPDFText_GetUnicode(textpage, i))
                if char.isspace() or char in "\ufffe\x02":
                    kept.append(char)
                    continue
                raw.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix))
                size = raw.FPDFText_GetFontSize(textpage, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
                if size <= INVISIBLE_PT:
                    continue
                sizes.append(size)
                left, bottom, right, top = textpage.get_charbox(i)
                boxes.append((left, bottom, right, top, char))
                if bottom >= area.bottom - 1 and top <= area.top + 1 and not _is_label(raw, textpage, i):
                    kept.append(char)
                band = band_mm * MM
                if left < area.left - 1 or right > area.right + 1 or bottom < area.bottom - band or top > area.top + band:
                    report.outside.append(f"{char!r} at ({left:.0f}, {bottom:.0f})")
            texts.append("".join(kept))
            report.min_font = round(min(sizes), 2) if sizes else 0.0
            report.overprinted = _overprinted(boxes)
            report.blank = _blank_share(page, area, columns)
            pages.append(report)
            textpage.close()
            page.close()
        marks = [(b.get_title(), dest.get_index()) for b in document.get_toc()
                 if b.level > 0 and (dest := b.get_dest()) is not None]
    finally:
        document.close()
    keys = {label(language, "answer_key") for language in LANGUAGES}
    ends = frozenset(index - 1 for title, index in marks if title in keys)
    return PdfReport(path, pages, "\n".join(texts), min((i for _, i in marks), default=0), ends)


def _is_label(raw: object, textpage: object, index: int) -> bool:
    """A card label or page number the cards writer draws in Helvetica, not text of the notes."""
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(textpage, index, buffer, 128, ctypes.byref(flags))  # type: ignore[attr-defined]
    return b"Helvetica" in buffer.value


def _overprinted(boxes: list[tuple[float, float, float, float, str]]) -> list[str]:
    """Pairs of glyphs whose boxes overlap by more than a third of the smaller: text drawn over text."""
    grid: dict[tuple[int, int], list[int]] = {}
    found: list[str] = []
    for index, (left, bottom, right, top, _) in enumerate(boxes):
        for gx in range(int(left // 20), int(right // 20) + 1):
            for gy in range(int(bottom // 20), int(top // 20) + 1):
                grid.setdefault((gx, gy), []).append(index)
    seen: set[tuple[int, int]] = set()
    for members in grid.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                la, ba, ra, ta, ca = boxes[a]
                lb, bb, rb, tb, cb = boxes[b]
                w = min(ra, rb) - max(la, lb)
                h = min(ta, tb) - max(ba, bb)
                if w <= 0 or h <= 0 or not (ca.isalnum() and cb.isalnum()):
                    continue  # kerned punctuation ("r.", "L’") touches its neighbour by design
                smaller = min((ra - la) * (ta - ba), (rb - lb) * (tb - bb)) or 1.0
                if w * h > smaller / 3:
                    found.append(f"{ca!r} over {cb!r} at ({la:.0f}, {ba:.0f})")
    return found


def _blank_share(page: object, area: Area, columns: int) -> float:
    """The share of the text area's height under the lowest content, averaged over the columns."""
    lows = [area.top] * columns
    column_width = (area.right - area.left) / columns
    for obj in page.get_objects(max_depth=1):  # type: ignore[attr-defined]
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # objects without bounds (empty paths) take no room
            continue
        if top < area.bottom or bottom > area.top or right - left <= 0.5 and top - bottom <= 0.5:
            continue  # header, page number, or a dot
        if right - left > (area.right - area.left) * 0.98 and top - bottom > (area.top - area.bottom) * 0.98:
            continue  # a page-sized background
        for c in range(columns):
            c_left = area.left + c * column_width
            if right > c_left + 1 and left < c_left + column_width - 1:
                lows[c] = min(lows[c], max(bottom, area.bottom))
    height = area.top - area.bottom
    return round(sum((low - area.bottom) / height for low in lows) / columns, 3)


def squash(text: str) -> str:
    """Text without whitespace; pdfium reports a hyphen ending a line as U+FFFE or U+0002.

    Symbols (emoji) are left out: the colour emoji font's glyphs carry no text to extract.
    """
    text = re.sub(r"[\s•◦▪‣]+", "", text)  # list bullets are drawn in a pass of their own
    text = "".join(c for c in text if unicodedata.category(c) != "So")
    return text.replace("\ufffe", "-").replace("\x02", "-")


def ends(question: str, size: int = 40) -> tuple[str, str]:
    """A question's first and last characters: a question split over two cards, or drawn around a
    block spanning both columns, is not one run of text in the PDF, but it starts and ends there."""
    return question[:size], question[-size:]


def visible_question(question_html: str) -> str:
    """A question's text as printed, math left out (it is drawn, and searchable separately)."""
    fragment = re.sub(r'<span class="math inline">.*?</span>', "", question_html, flags=re.DOTALL)
    fragment = re.sub(r'<div class="math display">.*?</div>', "", fragment, flags=re.DOTALL)
    fragment = re.sub(r'<span class="missing-media">.*?</span>', "", fragment, flags=re.DOTALL)
    return squash(html.unescape(re.sub(r"<[^>]+>", "", fragment))).replace("\u00ad", "")


SHEET_MARGINS = (18.0, 15.0, 18.0, 15.0)

LAYOUTS: list[tuple[str, list[str]]] = [
    ("sheet", ["--layout", "sheet"]),
    ("sheet-2col", ["--layout", "sheet", "--columns", "2"]),
    ("quiz", ["--layout", "quiz"]),
    ("quiz-2col", ["--layout", "quiz", "--columns", "2"]),
    ("cards", ["--layout", "cards"]),
    ("cards-a6", ["--layout", "cards", "--card-size", "a6"]),
    ("cards-index", ["--layout", "cards", "--card-size", "index"]),
    ("cards-fold", ["--layout", "cards", "--card-size", "fold"]),
]
PAPERS = ("a4", "letter")


def margins_for(layout: str) -> tuple[tuple[float, float, float, float], int]:
    """Text-area margins (mm) and columns a layout's pages are checked against.

    Card sheets are checked against a 4 mm printable border: the grid itself sits inside it.
    """
    if layout.startswith("cards"):
        return (4.0, 4.0, 4.0, 4.0), 1
    return SHEET_MARGINS, 2 if layout.endswith("2col") else 1


def main(out: Path) -> None:
    """Build every shipped deck in every layout and paper into `out`, then print the table."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    exe = root / ".venv" / "bin" / "exporter"
    print("| deck | layout | paper | pages | max blank (not last) | min font pt | outside | overprinted |")
    print("|---|---|---|---|---|---|---|---|")
    for layout, args in LAYOUTS:
        for paper in PAPERS:
            target = out / f"{layout}-{paper}"
            subprocess.run([str(exe), "build", "sources", "--out", str(target), "--format", "pdf", "--no-lock",
                            "--quiet", "--paper", paper, *args], cwd=root, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            margins, columns = margins_for(layout)
            for pdf in sorted(target.glob("*.pdf")):
                report = check_pdf(pdf, margins, columns)
                outside = sum(len(p.outside) for p in report.pages)
                over = sum(len(p.overprinted) for p in report.pages)
                blank = f"{report.max_blank():.0%}" if not layout.startswith("cards") else "n/a (card grid)"
                print(f"| {pdf.stem} | {layout} | {paper} | {len(report.pages)} | {blank} | "
                      f"{report.min_font:g} | {outside} | {over} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/layout-check"))
