"""Obsidian and cloze notes from Markdown files to real Anki and to a printed sheet, through the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main
from tests.anki_helpers import import_apkg, rendered_cards

from anki.cards import CardId  # noqa: E402  (after anki.collection, which anki needs imported first)

CORPUS = Path(__file__).resolve().parent / "corpus"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = tmp_path_factory.mktemp("project")
    for name in ("obsidian-cell-biology.md", "cloze-probabilites.md"):
        shutil.copy(CORPUS / name, project / name)
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(project), "--out", str(project / "dist"), "--no-lock",
                                  "--format", "apkg", "--format", "html"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return project / "dist", result.output


def test_build_reports_no_missing_answer_for_cloze_notes(built: tuple[Path, str]) -> None:
    _, output = built
    assert "[empty-answer]" not in output and "[cloze]" not in output


def test_anki_gets_a_card_per_deletion_and_two_per_reversed_note(built: tuple[Path, str], tmp_path: Path) -> None:
    dist, _ = built
    col = import_apkg(dist / "biology.apkg", tmp_path / "collection.anki2")
    cards = rendered_cards(col)
    per_note: dict[int, list[int]] = {}
    for card in cards:
        per_note.setdefault(card.note_id, []).append(col.get_card(CardId(card.card_id)).ord + 1)
    kinds = {card.note_id: card.fields.get("Kind", "") for card in cards}
    counts = sorted((kinds[note], sorted(ords)) for note, ords in per_note.items())
    assert counts == [
        ("cloze", [1, 2]), ("cloze", [1, 2]),
        ("qa", [1]), ("qa", [1]), ("qa", [1]), ("qa", [1]), ("qa", [1]),
        ("reversed", [1, 2]), ("reversed", [1, 2]),
    ]
    assert {card.deck for card in cards} == {"biology::cells"}
    osmosis = [c for c in cards if "Osmosis" in c.fields.get("Question", "")]
    assert [c.question_text.splitlines()[-1] for c in osmosis] == [
        "Osmosis", "diffusion of water across a semi-permeable membrane"]
    nucleus = sorted((c for c in cards if "nucleolus" in c.fields.get("Text", "")), key=lambda c: c.card_id)
    assert [c.question_text.splitlines()[-1] for c in nucleus] == [
        "The [...] stores the cell's DNA; the nucleolus assembles ribosomes.",
        "The nucleus stores the cell's DNA; the [...] assembles ribosomes.",
    ]
    col.close()


def test_cloze_in_math_reaches_anki_with_balanced_formulas(built: tuple[Path, str], tmp_path: Path) -> None:
    dist, _ = built
    col = import_apkg(dist / "probabilites-fiches-a-trous.apkg", tmp_path / "collection.anki2")
    cards = rendered_cards(col)
    assert len({c.note_id for c in cards}) == 7
    assert len(cards) == 3 + 2 + 1 + 1 + 2 + 1 + 2
    for card in cards:
        for side in (card.question_html, card.answer_html):
            for tex in re.findall(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", side, re.DOTALL):
                formula = tex[0] or tex[1]
                assert formula.count("{") == formula.count("}"), formula
                assert not re.search(r"c\d::", formula), formula
    density = [c for c in cards if "varphi" in c.fields.get("Text", "")]
    assert len(density) == 1 and r"\varphi(x) = [...]" in density[0].question_html
    col.close()


def test_revision_sheet_marks_the_deletions(built: tuple[Path, str]) -> None:
    dist, _ = built
    page = (dist / "biology.html").read_text(encoding="utf-8")
    assert '<mark class="cloze">nucleus</mark>' in page and '<mark class="cloze">nucleolus</mark>' in page
    assert "{{c" not in page and "==" not in page
    assert page.count("Osmosis") == 1  # a reversed note prints once


def test_a_card_turned_reversed_reaches_anki_as_a_new_note_and_the_old_one_is_tagged(tmp_path: Path) -> None:
    """Anki cannot change a note's type on import: `::` -> `:::` must give a new GUID, not a skipped update."""
    from tests.anki_helpers import import_into

    project = tmp_path / "project"
    project.mkdir()
    (project / "exporter.toml").write_text("", encoding="utf-8")
    source = project / "cards.md"
    runner = CliRunner()

    def build() -> Path:
        result = runner.invoke(main, ["build", str(project), "--out", str(project / "dist"), "--format", "apkg"],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
        [package] = (project / "dist").glob("*.apkg")
        return package

    source.write_text("#flashcards/lang\n\nchat::cat\nchien::dog\n", encoding="utf-8")
    col = import_apkg(build(), tmp_path / "collection.anki2")
    source.write_text("#flashcards/lang\n\nchat:::cat\nchien::dog\n", encoding="utf-8")
    log = import_into(col, build())
    assert len(log.conflicting) == 0
    cards = rendered_cards(col)
    by_note: dict[int, list[str]] = {}
    for card in cards:
        by_note.setdefault(card.note_id, []).append(card.question_text.splitlines()[-1])
    kinds = {card.note_id: (card.fields.get("Kind"), "exporter::removed" in card.tags) for card in cards}
    assert sorted((kinds[n], sorted(q)) for n, q in by_note.items()) == [
        (("qa", False), ["chien"]),
        (("qa", True), ["chat"]),  # the basic note it was: kept by Anki, tagged for deletion
        (("reversed", False), ["cat", "chat"]),
    ]
    col.close()


def test_dump_shows_the_new_kinds() -> None:
    import json

    result = CliRunner().invoke(main, ["dump", str(CORPUS / "obsidian-cell-biology.md")], catch_exceptions=False)
    notes = json.loads(result.output)["notes"]
    assert [n["kind"] for n in notes] == ["qa", "qa", "qa", "reversed", "cloze", "qa", "qa", "reversed", "cloze"]
    cloze = notes[4]
    assert cloze["question_html"] == (
        "<p>The {{c1::nucleus}} stores the cell's DNA; the {{c2::nucleolus}} assembles ribosomes.</p>\n")
    assert cloze["answer"] == "" and cloze["answer_html"] == ""
