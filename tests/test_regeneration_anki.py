"""Edit the real notes between two imports into real Anki: history survives, nothing doubles.

Builds a copy of sources/, imports the decks into a fresh collection with desktop Anki's
default options ("update notes if newer"), reviews every card once, then edits the copy
(one answer changed, one question reworded, one question deleted, one added), rebuilds
and imports again. tests/test_churn_anki.py takes each edit on its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main

pytestmark = pytest.mark.slow

pytest.importorskip("exporter.output.writers.apkg", reason="needs the apkg writer")
anki_collection = pytest.importorskip("anki.collection")
from tests.anki_helpers import import_all, note_with, reviews  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
COURSE = "sources/deep-learning-questions-de-cours.md"

OLD_ANSWER = "Il joue un rôle analogue à l’ordonnée à l’origine dans une régression linéaire."
NEW_ANSWER = "Il joue le rôle de l’ordonnée à l’origine d’une droite de régression."
OLD_QUESTION = "Qu’est-ce qu’un perceptron multicouche (MLP) ?"
NEW_QUESTION = "Comment définit-on un perceptron multicouche (MLP) ?"
DELETED = "### Q4. Qu’est-ce qu’une fonction d’activation ?"
ADDED = ("## Q154. Qu’est-ce que le dropout ?\n**Réponse :**\n"
         "Une régularisation qui désactive au hasard des neurones pendant l’entraînement.\n\n---\n\n")


def build(*args: str) -> str:
    result = CliRunner().invoke(main, ["build", "--format", "apkg", *args])
    assert result.exit_code == 0, result.output
    return result.output


def notes_by_guid(col: anki_collection.Collection) -> dict[str, int]:
    return {col.get_note(nid).guid: nid for nid in col.find_notes("")}


def test_edits_update_notes_in_place_and_keep_their_reviews(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "sources", tmp_path / "sources", ignore=shutil.ignore_patterns("exporter.lock"))
    monkeypatch.chdir(tmp_path)
    build()
    build("--force", "--out", "again")
    for package in sorted((tmp_path / "dist").glob("*.apkg")):
        assert package.read_bytes() == (tmp_path / "again" / package.name).read_bytes(), package.name

    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        first = import_all(col, tmp_path / "dist")
        notes_before = col.note_count()
        assert first == {"new": notes_before, "updated": 0, "unchanged": 0, "conflicting": 0}
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            card.start_timer()
            col.sched.answerCard(card, 3)
        assert col.db.scalar("select count() from revlog") == col.card_count()
        edited, reworded = note_with(col, OLD_ANSWER), note_with(col, OLD_QUESTION)
        deleted = note_with(col, DELETED.split(". ", 1)[1])
        ids_before = notes_by_guid(col)

        course = tmp_path / COURSE
        text = course.read_text(encoding="utf-8")
        start = text.index(DELETED)
        text = text[:start] + text[text.index("### Q5.", start):]
        text = text.replace(OLD_ANSWER, NEW_ANSWER).replace(OLD_QUESTION, NEW_QUESTION)
        text = text.replace("# FIN", ADDED + "# FIN")
        course.write_text(text, encoding="utf-8")
        summary = build()

        assert "1 added, 2 updated, 1 removed" in summary
        assert "removed from Deep Learning – Questions de cours (M2 MIAGE IDA): " \
               "'Qu’est-ce qu’une fonction d’activation ?' (was sources/deep-learning-questions-de-cours.md:38)" \
               in summary
        second = import_all(col, tmp_path / "dist")
        print("first import:", first, "second import:", second, "notes:", notes_before, "->", col.note_count())
        assert second["new"] == 1 and second["conflicting"] == 0
        assert second["updated"] == 3  # the two edits and the deleted note's removal tag; no line shift counts
        # Every old note is in the package again (the deleted one tagged exporter::removed), plus the new one.
        assert second["new"] + second["updated"] + second["unchanged"] == notes_before + 1
        assert col.find_notes("tag:exporter::removed") == [deleted]
        assert col.note_count() == notes_before + 1  # Anki never deletes on import: the old note stays
        assert notes_by_guid(col).items() >= ids_before.items()  # every old note kept its id
        assert note_with(col, NEW_ANSWER) == edited and reviews(col, edited) == 1
        assert note_with(col, NEW_QUESTION) == reworded and reviews(col, reworded) == 1
        assert note_with(col, "Qu’est-ce que le dropout ?") not in ids_before.values()
        assert deleted in ids_before.values()
        assert col.db.scalar("select count() from revlog") == notes_before
    finally:
        col.close()
