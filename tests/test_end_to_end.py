"""Build the user's real sources/ and import the decks with the real Anki engine."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

# Notes each source must give, as a student would count them.
EXPECTED_NOTES = {
    "sources/deep-learning-quiz-qa.md": 78,  # 79 question blocks outside comments, one word-for-word duplicate
    "sources/deep-learning-questions-de-cours.md": 153,
    "sources/transfer-learning-open-questions.md": 12,
    "sources/lesson-transfer-learning.md": 7,  # sections with content; quiz links give nothing
    "sources/workshop-phase2-performance.md": 20,  # 11 sections, 5 table rows, 4 checklists
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's sources/, built into dist/ once for the whole module."""
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT / "sources", project / "sources")
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=project) as cwd:
        shutil.copytree(project / "sources", Path(cwd) / "sources")
        result = runner.invoke(main, ["build", "--format", "apkg", "--format", "pdf"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return Path(cwd)


@pytest.fixture(scope="module")
def collection(built: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from anki.collection import Collection

    from tests.anki_helpers import import_into

    col = Collection(str(tmp_path_factory.mktemp("anki") / "collection.anki2"))
    packages = sorted((built / "dist").glob("*.apkg"))
    assert packages, "no .apkg written"
    for apkg in packages:
        import_into(col, apkg)
    yield col
    col.close()


def _notes_from(col, source_path: str) -> list:  # type: ignore[no-untyped-def]
    ids = col.find_notes("")
    notes = [col.get_note(i) for i in ids]
    # Source is the file, then " › section" or " · link" when there are: never a line number.
    return [n for n in notes if n["Source"] == source_path or n["Source"].startswith((f"{source_path} › ",
                                                                                      f"{source_path} · "))]


@pytest.mark.parametrize("source_path,count", sorted(EXPECTED_NOTES.items()))
def test_each_source_arrives_with_its_note_count(collection, source_path: str, count: int) -> None:  # type: ignore[no-untyped-def]
    assert len(_notes_from(collection, source_path)) == count


def test_every_card_renders_a_question_and_an_answer(collection) -> None:  # type: ignore[no-untyped-def]
    card_ids = collection.find_cards("")
    assert len(card_ids) >= sum(EXPECTED_NOTES.values())
    for card_id in card_ids:
        card = collection.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert _text(question), f"empty question on card {card_id}"
        assert len(_text(answer)) > len(_text(question)), f"answer adds nothing on card {card_id}"
        assert "{{" not in question and "{{" not in answer


def test_math_reaches_mathjax_with_its_tex_intact(collection) -> None:  # type: ignore[no-untyped-def]
    answers = [collection.get_card(c).answer() for c in collection.find_cards("")]
    everything = "\n".join(answers)
    # The perceptron formula of the course file, written \[ ... \] over three lines.
    assert re.search(r"\\\[\s*y = f\\left\(\\sum_i w_i x_i \+ b\\right\)\s*\\\]", everything)
    # ReLU, written \( f(x)=\max(0,x) \) inline.
    assert "\\( f(x)=\\max(0,x) \\)" in everything or "\\(f(x)=\\max(0,x)\\)" in everything


def test_no_raw_dollar_math_is_left_outside_code(collection) -> None:  # type: ignore[no-untyped-def]
    for card_id in collection.find_cards(""):
        html = collection.get_card(card_id).answer()
        outside_code = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.S)
        assert not re.search(r"\$[^$\s][^$]*\$", outside_code), f"raw $ math on card {card_id}"


def _text(html: str) -> str:
    without_style = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", without_style).strip()


def _words(text: str) -> str:
    """Words only, lower case: PDF text extraction differs from HTML in spacing and punctuation."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text.replace("\x00", ""))
    return " ".join(re.findall(r"\w+", text.casefold()))


def test_every_question_is_printed_in_its_decks_pdf(built: Path) -> None:
    from pypdf import PdfReader

    from exporter.build.pipeline import collect, slugify

    model = collect([built / "sources"], built, use_lock=False)
    for deck in model.decks():
        reader = PdfReader(built / "dist" / f"{slugify(deck.name)}.pdf")
        printed = _words(" ".join(page.extract_text() for page in reader.pages))
        assert 3 <= len(reader.pages) <= 2 + len(deck.notes), deck.name
        deck_mark, topic_marks = reader.outline[0], reader.outline[1]
        assert deck_mark.title == deck.name
        assert isinstance(topic_marks, list) and topic_marks, f"{deck.name}: no topic bookmarks"
        links = [
            annotation.get_object()["/A"]["/URI"]
            for page in reader.pages
            for annotation in page.get("/Annots") or []
            if "/URI" in annotation.get_object().get("/A", {})
        ]
        assert not [uri for uri in links if not uri.startswith(("http", "mailto:"))], "links into the build machine"
        for rendered in deck.notes:
            question = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", _text(rendered.question_html), flags=re.S)
            start = " ".join(_words(question).split()[:8])
            assert start in printed, f"{deck.name}: question at {rendered.note.source} not in the PDF"
