"""The PDF writer: every question is in the text, pages and bookmarks are there, nothing unsafe is read."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pypdf
import pytest

from exporter.rendering.highlight import highlight_code
from exporter.model import Deck, MediaFile
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


@pytest.mark.parametrize("layout", ["sheet", "cards"])
def test_same_input_same_bytes(folder: Path, deck: Deck, tmp_path: Path, layout: str) -> None:
    first = write(deck, folder, layout=layout).read_bytes()
    again = write(deck, tmp_path, layout=layout).read_bytes()
    assert first == again


def x_of(path: Path, index: int, needle: str) -> float:
    """The left edge of `needle` on page `index` (0-based), in points."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    textpage = document[index].get_textpage()
    searcher = textpage.search(needle)
    found = searcher.get_next()
    assert found, needle
    return float(textpage.get_charbox(found[0])[0])


def test_card_backs_mirror_fronts(folder: Path, deck: Deck) -> None:
    target = write(deck, folder, layout="cards")
    width = float(pypdf.PdfReader(target).pages[2].mediabox.width)
    # Card 1 sits top left on the front, so its answer sits top right on the back.
    assert x_of(target, 2, "Quelle") < width / 2 < x_of(target, 3, "somme")
    assert x_of(target, 2, "crire") > width / 2 > x_of(target, 3, "gradient")


def card_text(reader: pypdf.PdfReader, index: int) -> str:
    return squash(reader.pages[index].extract_text())


def test_a_long_answer_continues_on_the_next_card_at_full_size(folder: Path) -> None:
    long_answer = "<p>" + " ".join(f"mot{i}" for i in range(150)) + " FIN</p>"
    deck = Deck("Long", [rendered("<p>Une question courte ?</p>", long_answer)])
    reader = pypdf.PdfReader(write(deck, folder, layout="cards"))
    back = card_text(reader, 3)
    assert "mot0mot1" in back and "mot149FIN" in back  # all of it, on the cards of one sheet
    count = int(re.search(r"1·1/(\d)", back).group(1))  # type: ignore[union-attr]
    assert count > 1 and all(f"1·{k}/{count}" in back for k in range(1, count + 1))
    assert "1(continued)" in card_text(reader, 2)  # the next card's front says whose answer it carries


def test_a_card_never_prints_text_under_8_pt(folder: Path) -> None:
    from tests.layout_check import check_pdf

    essay = "".join(f"<p>{' '.join(f'mot{i}_{j}' for j in range(40))}</p>" for i in range(6))
    deck = Deck("Essay", [rendered("<p>Tout le cours ?</p>", essay)])
    report = check_pdf(write(deck, folder, layout="cards"), (4, 4, 4, 4))
    assert report.min_font >= 8
    assert [(p.number, p.outside, p.overprinted) for p in report.pages if p.outside or p.overprinted] == []


def test_an_answer_longer_than_three_cards_is_printed_after_the_cards(folder: Path) -> None:
    essay = "".join(f"<p>{' '.join(f'mot{i}_{j}' for j in range(60))}</p>" for i in range(40))
    deck = Deck("Essay", [rendered("<p>Tout le cours ?</p>", essay, line=12, path="sources/cours.md")])
    reader = pypdf.PdfReader(write(deck, folder, layout="cards"))
    back = reader.pages[3].extract_text()
    page = int(re.search(r"see page (\d+)", back).group(1))  # type: ignore[union-attr]
    assert page == 5 and len(reader.pages) > 5
    long_text = squash("".join(p.extract_text() for p in reader.pages[page - 1 :]))
    assert "mot0_0" in long_text and "mot39_59" in long_text
    contents = reader.pages[1].extract_text()
    assert "Long answers" in contents and "5" in contents


@pytest.mark.parametrize(("size", "paper", "per_page"), [("a6", "a4", 4), ("index", "letter", 3), ("fold", "a4", 4)])
def test_card_sizes(folder: Path, size: str, paper: str, per_page: int) -> None:
    notes = [rendered(f"<p>Question {n} ?</p>", f"<p>Réponse {n}</p>", line=n) for n in range(1, per_page + 2)]
    target = folder / f"cards-{size}.pdf"
    PdfWriter().write(Deck("Sizes", notes), target,
                      WriteOptions(project_root=folder, layout="cards", paper=paper, card_size=size))
    reader = pypdf.PdfReader(target)
    first = card_text(reader, 2)
    assert f"Question{per_page}" in first and f"Question{per_page + 1}" not in first
    if size == "fold":  # front and back side by side on the same page
        assert "Réponse1" in first
    else:
        assert "Réponse1" in card_text(reader, 3)


def test_open_question_backs_carry_the_number_and_lines(folder: Path) -> None:
    from exporter.model import NoteKind

    note = rendered("<p>Pourquoi ?</p>", '<p class="no-answer">No answer yet.</p>', line=3)
    note = dataclasses.replace(note, note=dataclasses.replace(note.note, kind=NoteKind.OPEN))
    reader = pypdf.PdfReader(write(Deck("Open", [note]), folder, layout="cards"))
    back = card_text(reader, 3)
    assert back.startswith("1") and "Writeyouranswer" in back


def test_synthetic_deck_page_bounds(folder: Path) -> None:
    reader = pypdf.PdfReader(write(synthetic_deck(60), folder, layout="sheet", columns=2))
    assert 4 <= len(reader.pages) <= 12


def test_unsafe_images_are_never_read(folder: Path) -> None:
    question = '<p>Q <img src="/etc/passwd"> <img src="http://example.com/x.png"> <img src="file:///etc/passwd"></p>'
    # Even a media entry pointing outside the project only gets through if the render stage listed it.
    deck = Deck("Unsafe", [rendered(question, "<p>A</p>", media=(MediaFile("other.png", "/etc/passwd"),))])
    text = "".join(p.extract_text() for p in pypdf.PdfReader(write(deck, folder, layout="sheet")).pages)
    assert "missing image: passwd" in text
    assert "missing image: x.png" in text
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


def test_emoji_print_with_the_emoji_font(folder: Path) -> None:
    deck = Deck("Emoji", [rendered("<p>Lancement 🚀 réussi ?</p>", "<p>Oui ✅</p>")])
    reader = pypdf.PdfReader(write(deck, folder, layout="sheet"))
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"].get("/Font", {}).values()}
    assert any("Emoji" in name for name in fonts), fonts  # drawn from the font, not as empty boxes


@pytest.mark.parametrize(("topics", "words"), [(12, 1), (90, 1), (40, 30)])
def test_card_contents_give_the_page_of_each_topics_first_card(folder: Path, topics: int, words: int) -> None:
    """The contents' numbers depend on their own length, first guessed from the number of lines.

    Right (short titles) or wrong (titles over two lines: a longer contents than guessed),
    every number must be the page holding the front of the topic's first card.
    """
    def title(i: int) -> str:
        return " ".join([f"Topic {i}"] + ["long"] * (words - 1))

    notes = [rendered(f"<p>Question {i} ?</p>", f"<p>Réponse {i}.</p>", section=title(i), line=i)
             for i in range(1, topics + 1)]
    reader = pypdf.PdfReader(write(Deck(f"Topics {topics}", notes), folder, layout="cards"))
    texts = [squash(page.extract_text()) for page in reader.pages]
    listed = {int(topic): int(number) for text in texts
              for topic, number in re.findall(r"Topic(\d+)(?:long)*\.{3,}(\d+)", text)}
    assert sorted(listed) == list(range(1, topics + 1))
    for topic, number in listed.items():
        assert f"Question{topic}?" in texts[number - 1], (topic, number)


def test_a_face_wrongly_judged_short_still_runs_on_to_more_cards(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Faces judged to fit one card are laid out in their cells and checked: one that does not fit goes on card pages."""
    from exporter.output.writers import cards

    monkeypatch.setattr(cards, "surely_fits", lambda *args: True)
    long_answer = "<p>" + " ".join(f"mot{i}" for i in range(150)) + " FIN</p>"
    deck = Deck("Misjudged", [rendered("<p>Une question courte ?</p>", long_answer),
                              rendered("<p>Une autre ?</p>", "<p>Courte.</p>", line=2)])
    reader = pypdf.PdfReader(write(deck, folder, layout="cards"))
    back = card_text(reader, 3)
    assert "mot0mot1" in back and "mot149FIN" in back and "Courte." in back
    count = int(re.search(r"1·1/(\d)", back).group(1))  # type: ignore[union-attr]
    assert count > 1 and all(f"1·{k}/{count}" in back for k in range(1, count + 1))
    assert "Uneautre?" in card_text(reader, 2)
