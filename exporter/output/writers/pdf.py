"""Printable revision sheets: the HTML sheet laid out by WeasyPrint, fetching only allowed files."""

from __future__ import annotations

import hashlib
import logging
import math
import mimetypes
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Iterator

from exporter.diagnostics import Diagnostic, Level
from exporter.model import Deck, MediaFile
from exporter.output.sheets import SheetDeck
from exporter.output.writers import WriteOptions, atomic_output, register
from exporter.output.writers.html import (
    BASE_CARD_FONT_PT,
    TEMPLATES_DIR,
    CardFit,
    build_sheet,
    render_sheet_html,
)

MIN_CARD_FONT_PT = 5.0
FIT_PASSES = 3
_PX_PER_PT = 96 / 72


def safe_fetcher(allowed_dirs: list[Path], allowed_files: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves only local files under `allowed_dirs` or listed exactly.

    No network, no other files: a source that names `/etc/passwd` or an http URL
    gets an error the renderer logs and skips, never the content.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    dirs = [d.resolve() for d in allowed_dirs]
    files = {f.resolve() for f in allowed_files}

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused to fetch {url!r}: only project files are allowed")
            path = Path(unquote(parts.path)).resolve()
            if path not in files and not any(path.is_relative_to(d) for d in dirs):
                raise ValueError(f"refused to read {path}: outside the project's sources and templates")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return SafeFetcher()


@contextmanager
def source_date_epoch(stamp: int) -> Iterator[None]:
    """Pin SOURCE_DATE_EPOCH while fonts are subset: fontTools stamps each font with the clock otherwise."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(max(stamp, 0))
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def overflowing_cards(document: Any) -> dict[str, float]:
    """`fit-…` id -> content height / card inner height, for every card whose text overflows."""
    ratios: dict[str, float] = {}
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is None or "card" not in (element.get("class") or "").split():
                continue
            for inner in _boxes(box):
                inner_el = getattr(inner, "element", None)
                fit_id = inner_el.get("id", "") if inner_el is not None else ""
                if fit_id.startswith("fit-") and inner.margin_height() > box.height + 0.5:
                    ratios[fit_id] = inner.margin_height() / box.height
    return ratios


def lay_out(sheet: SheetDeck, options: WriteOptions, fetcher: Any) -> tuple[str, Any, CardFit]:
    """The final HTML and its WeasyPrint document; card text is shrunk until it fits its card.

    The first layout is the real one; only the cards still too full are laid out again
    (on their own, which is quick) until they fit, then the real page once more. A card
    still too full after the last pass is marked, and said, to be cut.
    """
    from weasyprint import HTML

    def render(markup: str) -> Any:
        return HTML(string=markup, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=fetcher).render()

    fit = CardFit()
    page = render_sheet_html(sheet, options, fit)
    document = render(page)
    if options.layout != "cards":
        return page, document, fit
    too_big = overflowing_cards(document)
    if not too_big:
        return page, document, fit
    for remaining in range(FIT_PASSES, -1, -1):
        if not remaining:
            fit.overfull = set(too_big)
            break
        for fit_id, ratio in too_big.items():
            sizes = fit.fronts if fit_id.startswith("fit-f") else fit.backs
            number = int(fit_id[5:])
            current = sizes.get(number, BASE_CARD_FONT_PT)
            # Text area grows with the square of the font size, so shrink by the square root.
            sizes[number] = max(MIN_CARD_FONT_PT, round(current / math.sqrt(ratio) * 0.95, 2))
        pending = {int(fit_id[5:]) for fit_id in too_big}
        too_big = overflowing_cards(render(render_sheet_html(sheet, options, fit, only=pending)))
        if not too_big:
            break
    page = render_sheet_html(sheet, options, fit)
    return page, render(page), fit


def overfull_findings(sheet: SheetDeck, fit: CardFit) -> list[Diagnostic]:
    """A warning at the note's path:line for each card cut even at the smallest text size."""
    findings = []
    for item in (i for part in sheet.parts for topic in part.topics for i in topic.items):
        for side, prefix in (("question", "fit-f"), ("answer", "fit-b")):
            if f"{prefix}{item.number}" in fit.overfull:
                path, _, line = item.source.rpartition(":")
                size = (fit.fronts if prefix == "fit-f" else fit.backs).get(item.number, BASE_CARD_FONT_PT)
                findings.append(Diagnostic(
                    path, int(line) if line.isdigit() else 0, Level.WARNING, "card-overfull",
                    f"{side} too long for a flashcard: printed at {size:g} pt and cut on card "
                    f"{item.number}; whole on the revision sheet",
                ))
    return findings


@register
class PdfWriter:
    """One PDF per deck in the layout asked for; bytes depend only on the input."""

    name: ClassVar[str] = "pdf"
    extension: ClassVar[str] = "pdf"

    def write(self, deck: Deck, target: Path, options: WriteOptions) -> list[Diagnostic]:
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        media: list[MediaFile] = [m for rn in deck.notes for m in rn.media]
        sheet, findings = build_sheet(deck, target, options, lambda m: Path(m.path).resolve().as_uri())
        fetcher = safe_fetcher(
            [options.project_root / "sources", TEMPLATES_DIR], [Path(m.path) for m in media]
        )
        page, document, fit = lay_out(sheet, options, fetcher)
        findings.extend(overfull_findings(sheet, fit))
        identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
        stamp = max((rn.note.modified for rn in deck.notes), default=0)
        with atomic_output(target) as tmp, source_date_epoch(stamp):
            document.write_pdf(tmp, pdf_identifier=identifier)
        return findings
