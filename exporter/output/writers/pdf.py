"""Printable revision sheets: the HTML sheet laid out by WeasyPrint, fetching only allowed files."""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import mimetypes
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Iterator

from exporter.diagnostics import Diagnostic
from exporter.model import Deck, MediaFile
from exporter.output import compression, computedstyle, htmlparse, leaders, marginboxes, markers, svgpath
from exporter.output.sheets import SheetDeck
from exporter.output.writers import WriteOptions, atomic_output, register
from exporter.output.writers.cards import write_cards
from exporter.output.writers.html import TEMPLATES_DIR, build_sheet, render_sheet_html, sheet_template


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


@functools.lru_cache(maxsize=8)
def stylesheet(text: str) -> Any:
    """The templates' stylesheet parsed once per process, not once per WeasyPrint document.

    A deck's sheet, or its cards (three or four documents a deck), all carry the same
    `<style>`: WeasyPrint would parse it and build its selector matcher every time
    (60 ms a document). Given to WeasyPrint as a stylesheet of the user origin, it
    cascades exactly as in the page: every rule is ours, none `!important`, and the only
    author styles left, the formulas' `style` attributes, won over it before as well.
    """
    from weasyprint import CSS

    return CSS(string=text, base_url=str(TEMPLATES_DIR) + "/")


def split_style(markup: str) -> tuple[str, str | None]:
    """The page without the `<style>` of its head, and that style's text (None: no style there)."""
    head_end = markup.find("</head>")
    if head_end < 0:
        return markup, None
    start = markup.find("<style>", 0, head_end)
    end = markup.find("</style>", start, head_end)
    if start < 0 or end < 0:
        return markup, None
    return markup[:start] + markup[end + len("</style>"):], markup[start + len("<style>"):end]


@functools.cache
def font_configuration() -> Any:
    """One WeasyPrint font configuration per process, not one per document.

    Given none, WeasyPrint makes a new one for every document: fontconfig loads its
    configuration and font list again (`FcInitLoadConfigAndFonts`) and Pango starts a new
    font map, so every font is opened, and its metrics and glyph shapes measured, again in
    every document (a sheet, or each of the cut-out cards' documents). Our documents
    declare no `@font-face` (the only thing a configuration gathers from a document), so
    one configuration finds the same system fonts for all of them: the same fonts and
    glyphs, and PDFs byte-identical to one configuration per document, in any order of
    decks (3.9 s -> 3.76 s CPU for the five shipped sheets in two workers).
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


GC_THRESHOLDS = (50_000, 20, 10)
"""Python's cyclic collector while WeasyPrint lays out and draws: a young-generation collection
every 50,000 allocations instead of 700. WeasyPrint allocates millions of small objects and
frees nearly all of them by reference counting; the default thresholds spend some 12% of a
sheet's time scanning them (4.8 s against 4.2 s on the five shipped sheets). Peak memory: the
same on a 1,500-note sheet (637 MB against 635 MB), 50 MB more on the five small shipped sheets
in one process (201 MB against 152 MB). The older generations keep their schedule relative to it."""


@contextmanager
def rare_collections() -> Iterator[None]:
    """GC_THRESHOLDS for the duration, the thresholds before restored after (and garbage collected)."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.collect(1)


def lay_out(sheet: SheetDeck, options: WriteOptions, fetcher: Any) -> tuple[str, bytes]:
    """The page's HTML (the PDF's identity) and the PDF: one layout, or the cards' own two."""
    from weasyprint import HTML

    leaders.install()
    markers.install()
    marginboxes.install()
    compression.install()
    svgpath.install()
    computedstyle.install()
    htmlparse.install()

    def render(markup: str) -> Any:
        page, style = split_style(markup)
        sheets = [stylesheet(style)] if style is not None else []
        return HTML(string=page, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=font_configuration())

    if options.layout == "cards":
        data, page = write_cards(sheet, options, render, sheet_template(sheet, options))
        return page, data
    page = render_sheet_html(sheet, options)
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    return page, render(page).write_pdf(pdf_identifier=identifier)


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
        stamp = max((rn.note.modified for rn in deck.notes), default=0)
        with source_date_epoch(stamp), rare_collections():
            _, data = lay_out(sheet, options, fetcher)
        with atomic_output(target) as tmp:
            tmp.write_bytes(data)
        return findings
