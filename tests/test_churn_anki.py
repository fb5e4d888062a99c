"""Each kind of edit, rebuilt and re-imported into real Anki, touches exactly the notes it should.

The shipped sources (with their lock) are built, imported into a fresh collection with
desktop Anki's default options ("update notes if newer"), 10 cards are reviewed and one
note is edited inside Anki. Then, one after the other, each edit of the issue is made,
the decks rebuilt and imported again, and the import's own log is asserted: how many
notes Anki added and how many it updated. A line shift must never count.
"""

from __future__ import annotations

import json
import os
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
QUIZ = "sources/deep-learning-quiz-qa.md"
EDITED_ANSWER = ("Il joue un rôle analogue à l’ordonnée à l’origine dans une régression linéaire.",
                 "Il joue le rôle de l’ordonnée à l’origine d’une droite de régression.")
REWORDED = ("Qu’est-ce qu’un perceptron multicouche (MLP) ?", "Comment définit-on un perceptron multicouche (MLP) ?")
DELETED = "### Q4. Qu’est-ce qu’une fonction d’activation ?"
INSERTED = ("### Q0. Qu’est-ce que le dropout ?\n**Réponse :**\n"
            "Une régularisation qui désactive au hasard des neurones pendant l’entraînement.\n\n---\n\n")
MOVED_Q = "Comparez la fonction sigmoïde et la fonction ReLU."
USER_EDIT = ("Définissez un perceptron et expliquez son fonctionnement.", "My own note, written in Anki.")


def build(*args: str) -> str:
    result = CliRunner().invoke(main, ["build", "--format", "apkg", *args])
    assert result.exit_code == 0, result.output
    return result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def cut(path: Path, start: str, stop: str) -> str:
    """Remove the block from `start` up to (not including) `stop`; return it."""
    text = path.read_text(encoding="utf-8")
    begin = text.index(start)
    end = text.index(stop, begin)
    path.write_text(text[:begin] + text[end:], encoding="utf-8")
    return text[begin:end]


def test_each_edit_updates_only_its_own_note_in_anki(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "sources", tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    shipped = json.loads((REPO / "sources" / "exporter.lock").read_text(encoding="utf-8"))
    build()
    out = tmp_path / "dist"
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        first = import_all(col, out)
        total = col.note_count()
        assert first == {"new": total, "updated": 0, "unchanged": 0, "conflicting": 0}
        assert {col.get_note(n).guid for n in col.find_notes("")} == {e["guid"] for e in shipped["notes"]}
        reviewed = []
        for card_id in col.find_cards("")[:10]:
            card = col.get_card(card_id)
            card.start_timer()
            col.sched.answerCard(card, 3)
            reviewed.append(card.nid)
        mine = col.get_note(note_with(col, USER_EDIT[0]))
        mine["Answer"] = USER_EDIT[1]
        col.update_note(mine)
        course, quiz = tmp_path / COURSE, tmp_path / QUIZ

        def step(expected_new: int, expected_updated: int) -> tuple[str, dict[str, int]]:
            summary = build()
            counts = import_all(col, out)
            assert (counts["new"], counts["updated"], counts["conflicting"]) == (expected_new, expected_updated, 0), \
                (summary, counts)
            assert col.get_note(mine.id)["Answer"] == USER_EDIT[1]  # the user's own edit survives every import
            return summary, counts

        edit(course, *EDITED_ANSWER)
        step(0, 1)
        assert EDITED_ANSWER[1] in col.get_note(note_with(col, EDITED_ANSWER[1]))["Answer"]

        edit(course, *REWORDED)
        step(0, 1)
        reworded = note_with(col, REWORDED[1])

        deleted = note_with(col, DELETED.split(". ", 1)[1])
        cut(course, DELETED, "### Q5.")
        summary, _ = step(0, 1)  # only the removed note: its tag
        assert "1 removed note stays in the decks until" in summary and "tag:exporter::removed" in summary
        assert col.find_notes("tag:exporter::removed") == [deleted]
        assert col.note_count() == total

        edit(course, "### Q1.", INSERTED + "### Q1.")  # every note below moves down six lines
        step(1, 0)

        moved = note_with(col, MOVED_Q)
        reviews_before = reviews(col, moved)
        block = cut(course, f"### Q5. {MOVED_Q}", "## 3. ")
        answer = block.split("**Réponse :**", 1)[1].split("\n---", 1)[0].strip()
        quiz.write_text(quiz.read_text(encoding="utf-8").rstrip() + f"\n\nQuestion : Deep Learning - Moved - "
                        f"{MOVED_Q}\nAnswer : \n{answer}\n", encoding="utf-8")
        summary, _ = step(0, 1)
        assert f"moved: {MOVED_Q!r} from" in summary
        assert note_with(col, MOVED_Q) == moved and reviews(col, moved) == reviews_before

        step(0, 0)  # nothing changed
        build("--force")  # every output written again: still nothing new for Anki
        assert import_all(col, out)["updated"] == 0

        assert col.note_count() == total + 1  # the inserted one; the removed one waits for the user
        assert all(reviews(col, nid) >= 1 for nid in reviewed)
        assert reviews(col, reworded) == (1 if reworded in reviewed else 0)
    finally:
        col.close()


def test_old_source_field_migrates_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decks built before the Source field lost its line number update in place, once, history kept."""
    from exporter.rendering import render

    shutil.copytree(REPO / "sources", tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as old:
        old.setattr(render, "source_html", lambda note: f"{note.source.path}:{note.source.line}")
        build()
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        import_all(col, tmp_path / "dist")
        total = col.note_count()
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            card.start_timer()
            col.sched.answerCard(card, 3)
        sources = [col.get_note(n)["Source"] for n in col.find_notes("")]
        assert all(":" in s.split(" · ")[0] for s in sources)
        # A new toolkit: the whole-build shortcut and every cache would see it by its code's hash,
        # which a monkeypatch does not change, so the old build's caches go.
        shutil.rmtree(tmp_path / "dist" / ".cache")
        build("--force")
        counts = import_all(col, tmp_path / "dist")
        assert counts == {"new": 0, "updated": total, "unchanged": 0, "conflicting": 0}
        assert col.note_count() == total and col.db.scalar("select count() from revlog") == col.card_count()
        assert not any(s.split(" · ")[0].endswith(tuple(f":{d}" for d in "0123456789"))
                       for s in (col.get_note(n)["Source"] for n in col.find_notes("")))
        build("--force")
        assert import_all(col, tmp_path / "dist")["updated"] == 0
    finally:
        col.close()


@pytest.mark.parametrize("run_from", ["project", "parent", "/"])
def test_no_field_of_any_shipped_note_holds_an_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             run_from: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "sources", project / "sources")
    cwd = {"project": project, "parent": tmp_path, "/": Path("/")}[run_from]
    monkeypatch.chdir(cwd)
    given = str(project / "sources") if run_from == "/" else os.path.relpath(project / "sources", cwd)
    build(given, "--out", str(tmp_path / "out"))
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        import_all(col, tmp_path / "out")
        assert col.note_count() == 270
        leaks = [(col.get_note(n).guid, name) for n in col.find_notes("") for name, value in col.get_note(n).items()
                 if str(tmp_path) in value or "/tmp/" in value or "/root" in value or "/home/" in value]
        assert leaks == []
        sources = {col.get_note(n)["Source"].split(" ›")[0].split(" ·")[0] for n in col.find_notes("")}
        assert sources == {"sources/deep-learning-questions-de-cours.md", "sources/deep-learning-quiz-qa.md",
                           "sources/lesson-transfer-learning.md", "sources/transfer-learning-open-questions.md",
                           "sources/workshop-phase2-performance.md"}
    finally:
        col.close()
