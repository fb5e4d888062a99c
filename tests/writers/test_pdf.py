"""The PDF writer: every question is in the text, pages and bookmarks are there, nothing unsafe is read."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pypdf
import pytest

from exporter.rendering.highlight import highlight_code
from exporter.model import Deck, MediaFile
from exporter.output.sheets import card_sheets, make_sheet
from exporter.output.mathsvg import MathRenderer
from exporter.output.writers import WriteOptions
from exporter.output.writers.pdf import PdfWriter, safe_fetcher
from tests.writers.sample_deck import rendered, small_deck, synthetic_deck, tiny_png


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines wherever the layout did."""
    return re.sub(r"\s+", "", text)


def question_text(fragment: str) -> str:
    fragment = re.sub(r'<span class="math inline">.*?</span>', "", fragment)
    return squash(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def write(deck: Deck, folder: Path, **options: object) -> Path:
    target = folder / f"{options.get('layout', 'sheet')}-{options.get('paper', 'a4')}.pdf"
    PdfWriter().write(deck, target, WriteOptions(project_root=folder, **options))  # type: ignore[arg-type]
    return target


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def deck(folder: Path) -> Deck:
    return small_deck(tiny_png(folder / "neuron.png"))


@pytest.fixture(scope="module", params=["sheet", "quiz", "cards"])
def pdf(request: pytest.FixtureRequest, folder: Path, deck: Deck) -> tuple[str, pypdf.PdfReader]:
    return request.param, pypdf.PdfReader(write(deck, folder, layout=request.param))


def test_every_question_is_in_the_text(pdf: tuple[str, pypdf.PdfReader], deck: Deck) -> None:
    _, reader = pdf
    text = squash("".join(page.extract_text() for page in reader.pages))
    for rn in deck.notes:
        assert question_text(rn.question_html) in text


def test_formulas_are_searchable(pdf: tuple[str, pypdf.PdfReader]) -> None:
    layout, reader = pdf
    text = squash("".join(page.extract_text() for page in reader.pages))
    assert squash("y = f(∑_i w_i x_i + b)") in text or layout == "quiz"
    assert "[ab;cd]x" in text  # the matrix in question 4, on every layout


def test_page_counts(pdf: tuple[str, pypdf.PdfReader]) -> None:
    layout, reader = pdf
    # title + contents + content; cards: one sheet of fronts and one of backs for six cards
    assert len(reader.pages) == {"sheet": 3, "quiz": 5, "cards": 4}[layout]


def test_bookmarks_per_deck_and_topic(pdf: tuple[str, pypdf.PdfReader]) -> None:
    _, reader = pdf

    def titles(outline: list[object]) -> list[str]:
        out: list[str] = []
        for entry in outline:
            out += titles(entry) if isinstance(entry, list) else [entry.title]  # type: ignore[attr-defined]
        return out

    found = titles(reader.outline)
    assert found[0] == "Deep learning"
    for topic in ("Neurones", "Algèbre", "Questions ouvertes", "Optimisation"):
        assert topic in found


def test_page_numbers_and_header(folder: Path, deck: Deck) -> None:
    reader = pypdf.PdfReader(write(deck, folder, layout="sheet"))
    last = reader.pages[-1].extract_text()
    assert "3 / 3" in last
    assert "Deep learning" in last


def test_letter_paper(folder: Path, deck: Deck) -> None:
    reader = pypdf.PdfReader(write(deck, folder, layout="cards", paper="letter"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_same_input_same_bytes(folder: Path, deck: Deck, tmp_path: Path) -> None:
    first = write(deck, folder, layout="sheet").read_bytes()
    again = write(deck, tmp_path, layout="sheet").read_bytes()
    assert first == again


def test_card_backs_mirror_fronts(folder: Path, deck: Deck) -> None:
    reader = pypdf.PdfReader(write(deck, folder, layout="cards"))
    width = float(reader.pages[2].mediabox.width)

    def x_of(page: pypdf.PageObject, needle: str) -> float:
        hits: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if needle in text:
                hits.append(cm[4] + tm[4] * cm[0])

        page.extract_text(visitor_text=visit)
        assert hits, needle
        return hits[0]

    front, back = reader.pages[2], reader.pages[3]
    # Card 1 sits top left on the front, so its answer sits top right on the back.
    assert x_of(front, "Quelle") < width / 2 < x_of(back, "somme")
    assert x_of(front, "crire") > width / 2 > x_of(back, "gradient")


def test_card_sheet_order() -> None:
    items = make_sheet(synthetic_deck(10, with_math=False), MathRenderer(None, "ziamath"), str).items
    sheets = card_sheets(items, columns=2, rows=4)
    assert [i.number if i else None for i in sheets[0].backs] == [2, 1, 4, 3, 6, 5, 8, 7]
    assert [i.number if i else None for i in sheets[1].fronts] == [9, 10, None, None, None, None, None, None]
    assert [i.number if i else None for i in sheets[1].backs] == [10, 9, None, None, None, None, None, None]


def test_long_card_text_shrinks_to_fit(folder: Path) -> None:
    long_answer = "<p>" + " ".join(f"mot{i}" for i in range(400)) + " FIN</p>"
    deck = Deck("Long", [rendered("<p>Une question courte ?</p>", long_answer)])
    reader = pypdf.PdfReader(write(deck, folder, layout="cards"))
    back = squash(reader.pages[3].extract_text())
    assert "mot0" in back and "mot399FIN" in back


def test_synthetic_deck_page_bounds(folder: Path) -> None:
    reader = pypdf.PdfReader(write(synthetic_deck(60), folder, layout="sheet", columns=2))
    assert 4 <= len(reader.pages) <= 12


def test_unsafe_images_are_never_read(folder: Path) -> None:
    question = '<p>Q <img src="/etc/passwd"> <img src="http://example.com/x.png"> <img src="file:///etc/passwd"></p>'
    # Even a media entry pointing outside the project only gets through if the render stage listed it.
    deck = Deck("Unsafe", [rendered(question, "<p>A</p>", media=(MediaFile("other.png", "/etc/passwd"),))])
    text = "".join(p.extract_text() for p in pypdf.PdfReader(write(deck, folder, layout="sheet")).pages)
    assert "missing image: /etc/passwd" in text
    assert "missing image: http://example.com/x.png" in text
    assert "root:" not in text


def test_fetcher_refuses_other_files_and_network(folder: Path, tmp_path: Path) -> None:
    allowed = tmp_path / "sources"
    allowed.mkdir()
    (allowed / "ok.svg").write_text("<svg/>", encoding="utf-8")
    fetcher = safe_fetcher([allowed], [])
    assert fetcher.fetch((allowed / "ok.svg").as_uri()).read() == b"<svg/>"
    for url in ("file:///etc/passwd", "http://example.com/x.png", (allowed / ".." / "x").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_full_card_in_the_last_row_shrinks_instead_of_spilling(folder: Path) -> None:
    # Card 7 sits in the last row; its back holds a listing longer than the seeds' Keras ones.
    listing = "\n".join(f"layer_{i} = Dense({i})  # units" for i in range(21)) + "\nEND_OF_LISTING = True"
    code = highlight_code(listing, "python")
    notes = [rendered(f"<p>Question {n} ?</p>", f"<p>Réponse {n}</p>", line=n) for n in range(1, 9)]
    notes[6] = rendered("<p>Question 7 ?</p>", code, line=7)
    reader = pypdf.PdfReader(write(Deck("Rows", notes), folder, layout="cards"))
    assert len(reader.pages) == 4  # title, contents, fronts, backs: nothing spilled onto a fifth
    backs = squash(reader.pages[3].extract_text())
    assert "END_OF_LISTING=True" in backs
    assert "Question" not in backs


def test_a_card_too_long_to_fit_is_marked_and_reported(folder: Path) -> None:
    essay = "".join(f"<p>{' '.join(f'mot{i}_{j}' for j in range(60))}</p>" for i in range(40))
    deck = Deck("Essay", [rendered("<p>Tout le cours ?</p>", essay, line=12, path="sources/cours.md")])
    target = folder / "essay.pdf"
    findings = PdfWriter().write(deck, target, WriteOptions(project_root=folder, layout="cards"))
    assert [(f.path, f.line, f.code) for f in findings] == [("sources/cours.md", 12, "card-overfull")]
    back = pypdf.PdfReader(target).pages[3].extract_text()
    assert "answer cut here" in back
