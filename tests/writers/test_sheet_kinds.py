"""Cloze and reversed notes on paper: deletions shown and marked on the sheet, blanks in the quiz and on cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostics
from exporter.model import Deck, Note, NoteKind, SourceLocation
from exporter.output.writers import WriteOptions
from exporter.output.writers.html import HtmlWriter
from exporter.output.writers.pdf import PdfWriter
from exporter.rendering.render import render_notes
from tests.anki_helpers import html_text

NOTES = [
    Note("Géo", NoteKind.CLOZE, "{{c1::Paris}} is the capital of {{c2::France::country}}.", "Since 987.",
         SourceLocation("notes.md", 1)),
    Note("Géo", NoteKind.CLOZE, r"Powers: $2^{ {{c1::10}} } = 1024$ and ==Lyon== is on the ==Rhône==.", None,
         SourceLocation("notes.md", 3)),
    Note("Géo", NoteKind.REVERSED, "Capital of Italy", "Rome", SourceLocation("notes.md", 5)),
]


def deck(root: Path) -> Deck:
    return Deck("Géo", render_notes(NOTES, root, Diagnostics()))


def page(root: Path, layout: str) -> str:
    target = root / f"{layout}.html"
    HtmlWriter().write(deck(root), target, WriteOptions(project_root=root, layout=layout, math_engine="ziamath"))
    return target.read_text(encoding="utf-8")


def articles(markup: str, css_class: str) -> list[str]:
    """The visible text of each element whose class list starts with `css_class`."""
    blocks = re.findall(rf'<(article|div) class="{css_class}[^"]*"[^>]*>(.*?)</\1>\s*(?=<article|<div class="{css_class}|</div>|</main|</section)',
                        markup, re.DOTALL)
    return [" ".join(html_text(body).split()) for _, body in blocks]


def test_sheet_shows_every_deletion_marked_and_reversed_notes_once(tmp_path: Path) -> None:
    markup = page(tmp_path, "sheet")
    assert articles(markup, "item") == [
        "1. Paris is the capital of France. Since 987.",
        "2. Powers: 2^ 10 = 1024 and Lyon is on the Rhône.",
        "3. Capital of Italy Rome",
    ]
    assert '<mark class="cloze">Paris</mark>' in markup and '<mark class="cloze">Rhône</mark>' in markup
    assert "{{c" not in markup and "[…]" not in markup


def test_quiz_blanks_deletions_with_their_hint_and_fills_them_in_the_key(tmp_path: Path) -> None:
    markup = page(tmp_path, "quiz")
    questions, key = markup.split('id="answer-key"', 1)
    assert articles(questions, "item") == [
        "1. […] is the capital of [country].",
        "2. Powers: 2^ […] = 1024 and […] is on the […].",
        "3. Capital of Italy",
    ]
    assert articles(key, "key-item") == [
        "1. Paris is the capital of France. Since 987.",
        "2. Powers: 2^ 10 = 1024 and Lyon is on the Rhône.",
        "3. Rome",
    ]
    assert "{{c" not in markup


def test_card_fronts_have_blanks_and_backs_the_filled_text(tmp_path: Path) -> None:
    markup = page(tmp_path, "cards")
    fronts = re.findall(r'<div class="q">(.*?)</div>\s*</section>', markup, re.DOTALL)
    backs = re.findall(r'<div class="a">(.*?)</div>\s*</section>', markup, re.DOTALL)
    assert [" ".join(html_text(f).split()) for f in fronts] == [
        "[…] is the capital of [country].", "Powers: 2^ […] = 1024 and […] is on the […].", "Capital of Italy",
    ]
    assert [" ".join(html_text(b).split()) for b in backs] == [  # the preview shows each card's faces in turn
        "Paris is the capital of France. Since 987.", "Powers: 2^ 10 = 1024 and Lyon is on the Rhône.", "Rome",
    ]


@pytest.mark.slow
def test_pdf_text_has_the_marked_sheet_and_the_blank_quiz(tmp_path: Path) -> None:
    from pypdf import PdfReader

    def text(layout: str) -> str:
        target = tmp_path / f"{layout}.pdf"
        PdfWriter().write(deck(tmp_path), target, WriteOptions(project_root=tmp_path, layout=layout, math_engine="ziamath"))
        words = " ".join(page.extract_text() for page in PdfReader(target).pages).split()
        return re.sub(r" ([.,])", r"\1", " ".join(words))

    sheet = text("sheet")
    assert "Paris is the capital of France." in sheet and "Lyon is on the Rhône." in sheet
    assert sheet.count("Capital of Italy") == 1 and sheet.count("Rome") == 1  # a reversed note prints once
    quiz = text("quiz")
    assert "[…] is the capital of [country]." in quiz and "[…] is on the […]." in quiz
    assert "Paris is the capital of France." in quiz.split("Answer key")[-1]
