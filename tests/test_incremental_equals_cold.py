"""After any sequence of edits, a build with the caches warm gives exactly what a cold build gives.

The edit path takes shortcuts (a file's notes and language from the parse cache, its
rendered fields found by place in the file, the lock written from one encoder call);
each step below changes something a shortcut depends on, then builds the project twice
from the same sources and lock, once with the caches of every earlier step and once
with none, and compares everything a writer or the lock would get.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from exporter.build.manifest import output_inputs
from exporter.build.pipeline import Model, collect
from exporter.config import load_config
from exporter.diagnostics import Diagnostics
from exporter.identity.lock import write_lock
from exporter.rendering.render import file_languages

NOW = 1_800_000_000

ENGLISH = """Question : Biology - Cells - What is a cell?
Answer   : The smallest unit of life, with $x^2$ in it.

Question : Biology - Cells - What is DNA?
Answer   : The molecule that carries the genetic information of the cell.

Question : Biology - Cells - What is the role of a ribosome?
Answer   : It builds proteins from the messenger RNA.
"""

FRENCH = """Question : Biologie - Cellules - Quelle est la fonction de la membrane ?
Answer   : Elle sépare la cellule de son milieu et contrôle les échanges avec lui.

Question : Biologie - Cellules - Qu'est-ce qu'une mitochondrie ?
Answer   : C'est la centrale énergétique de la cellule, où se fait la respiration.

Question : Biologie - Cellules - Pourquoi les cellules se divisent-elles ?
"""

CHEMISTRY = """Question : Chemistry - Atoms - What is an atom?
Answer   : The smallest unit of a chemical element.

Question : Chemistry - Atoms - What is $\\frac{1}{2$?
Answer   : Broken math, reported at its line.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "sources").mkdir()
    for name, text in {"english.md": ENGLISH, "french.md": FRENCH, "chemistry.md": CHEMISTRY}.items():
        (tmp_path / "sources" / name).write_text(text, encoding="utf-8")
    return tmp_path


def _outputs(model: Model, digests: bool) -> dict[str, str]:
    """Each deck's input hash, with the notes' digests the build kept (from the cache) or all hashed afresh."""
    return {deck.name: output_inputs(deck, "apkg", {}, model.digests if digests else None) for deck in model.decks()}


def build_and_compare(project: Path) -> Model:
    """Build with the project's caches and cold; assert they agree; write the lock as `build` does."""
    warm = collect([project / "sources"], project, cache_dir=project / "dist" / ".cache", now=NOW)
    cold = collect([project / "sources"], project, now=NOW)
    assert warm.lock_error is None and cold.lock_error is None
    assert warm.notes == cold.notes
    assert warm.removed == cold.removed
    assert warm.diagnostics.sorted() == cold.diagnostics.sorted()
    assert warm.coverage == cold.coverage
    assert warm.identity is not None and cold.identity is not None
    assert warm.identity.lock.to_json() == cold.identity.lock.to_json()
    assert _outputs(warm, True) == _outputs(cold, False) == _outputs(warm, False)
    # Languages as guessed afresh from each file's notes that were kept (the cached counts are a shortcut).
    config = load_config(project, Diagnostics())
    paths = {rn.note.source.path for rn in cold.notes}
    expected = file_languages([rn.note for rn in cold.notes], {path: config.for_source(path).language for path in paths})
    assert {rn.note.source.path: rn.language for rn in warm.notes} == expected
    assert warm.lock_path is not None
    write_lock(warm.lock_path, warm.identity.lock)
    return warm


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def guids(model: Model) -> dict[str, str]:
    return {rn.note.question: rn.note.guid for rn in model.notes}


def test_every_step_of_an_editing_session_builds_as_a_cold_build(project: Path) -> None:
    sources = project / "sources"
    first = build_and_compare(project)
    assert {rn.language for rn in first.notes if rn.note.source.path == "sources/french.md"} == {"fr"}
    before = guids(first)

    edit(sources / "english.md", "The smallest unit of life", "The smallest living unit")  # one answer
    after = guids(build_and_compare(project))
    assert after == before

    # A note moves to another file (two changed files): it keeps its GUID.
    edit(sources / "english.md", "Question : Biology - Cells - What is DNA?\n"
         "Answer   : The molecule that carries the genetic information of the cell.\n", "")
    (sources / "chemistry.md").write_text(CHEMISTRY + "\nQuestion : Biology - Cells - What is DNA?\nAnswer   : "
                                          "The molecule that carries the genetic information of the cell.\n",
                                          encoding="utf-8")
    moved = build_and_compare(project)
    assert guids(moved) == before
    assert moved.identity is not None and [m.old_source for m in moved.identity.moved] == ["sources/english.md"]

    (sources / "chemistry.md").rename(sources / "chimie.md")  # a renamed file: every note moves
    assert guids(build_and_compare(project)) == before

    # A duplicate dropped by the checks takes its words out of its file's language guess:
    # zoology.md is read after french.md, so its copy of a French note is the one dropped.
    (sources / "zoology.md").write_text(FRENCH.split("\n\n")[0] + "\n\nQuestion : Biology - Animals - What is a "
                                        "zebra?\nAnswer   : It is a horse with stripes.\n", encoding="utf-8")
    zoology = build_and_compare(project)
    assert {rn.language for rn in zoology.notes if rn.note.source.path == "sources/zoology.md"} == {"en"}

    # Settings change what every file gives: another deck, a language set by hand.
    (project / "exporter.toml").write_text('[[sources]]\npath = "sources/chimie.md"\ndeck = "Chimie"\n'
                                           'language = "fr"\n', encoding="utf-8")
    build_and_compare(project)

    # The lock edited by hand: one entry's GUID changed, another entry deleted.
    lock = first.lock_path
    assert lock is not None and lock.is_file()
    text = lock.read_text(encoding="utf-8")
    guid = before["What is a cell?"]
    text = text.replace(f'"guid": "{guid}"', '"guid": "hand-made-guid"')
    lock.write_text(text, encoding="utf-8")
    assert guids(build_and_compare(project))["What is a cell?"] == "hand-made-guid"

    # A question deleted: removed from the sources, still emitted with the removal tag.
    edit(sources / "french.md", "Question : Biologie - Cellules - Pourquoi les cellules se divisent-elles ?\n", "")
    gone = build_and_compare(project)
    assert [rn.note.question for rn in gone.removed] == ["Pourquoi les cellules se divisent-elles ?"]

    edit(sources / "english.md", "builds proteins", "makes proteins")
    build_and_compare(project)
    edit(sources / "english.md", "makes proteins", "builds proteins")  # undone
    build_and_compare(project)


@pytest.mark.parametrize("lost", ["read.sqlite", "render.sqlite", "both"])
def test_a_cache_deleted_or_damaged_half_way_changes_nothing(project: Path, lost: str) -> None:
    build_and_compare(project)
    edit(project / "sources" / "french.md", "la centrale", "l'usine")
    cache = project / "dist" / ".cache"
    names = ["read.sqlite", "render.sqlite"] if lost == "both" else [lost]
    for name in names:
        (cache / name).unlink()
    build_and_compare(project)
    for name in names:
        (cache / name).write_bytes(b"not a database at all")
    edit(project / "sources" / "english.md", "builds proteins", "makes proteins")
    build_and_compare(project)


def test_a_damaged_cache_entry_is_a_miss(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries of another shape (another toolkit, damage) are rendered and read again, never trusted."""
    from exporter.build import cache as cache_module

    build_and_compare(project)
    real: Callable[..., object] = cache_module.BuildCache.get_values

    def damaged(self: cache_module.BuildCache, keys: list[str]) -> dict[str, object]:
        found = real(self, keys)
        assert isinstance(found, dict)
        return {key: [value, "extra"] if isinstance(value, list) else value for key, value in found.items()}

    monkeypatch.setattr(cache_module.BuildCache, "get_values", damaged)
    edit(project / "sources" / "chemistry.md", "chemical element", "element")
    build_and_compare(project)


def test_the_shipped_sources_build_as_cold_after_edits(tmp_path: Path) -> None:
    """The real notes (several readers, French and English files) after an edit, a move and a deletion."""
    shutil.copytree(Path(__file__).resolve().parent.parent / "sources", tmp_path / "sources")
    build_and_compare(tmp_path)
    quiz = tmp_path / "sources" / "deep-learning-quiz-qa.md"
    quiz.write_bytes(quiz.read_bytes().replace(b"What is a loss function?", b"What is a cost function?"))
    build_and_compare(tmp_path)
    lesson = tmp_path / "sources" / "lesson-transfer-learning.md"
    lesson.rename(tmp_path / "sources" / "lesson-renamed.md")
    build_and_compare(tmp_path)


def test_one_big_labelled_file_read_by_groups_builds_as_cold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read again by its changed groups (`reading/chunked.py`), through edits that flip the
    file's deck-prefix majority and back: the bytes of an earlier step come back while the groups
    kept since were read under the other decision, so the list kept for those bytes must not be trusted."""
    from exporter.reading import chunked

    monkeypatch.setattr(chunked, "GROUP_SPREAD", 2)

    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    (tmp_path / "sources").mkdir()
    path = tmp_path / "sources" / "all.md"
    pairs = [f"Question : Bio - Cells - What is cell {i}?\nAnswer   : Cell {i} is small." for i in range(12)]
    pairs += [f"Question : What is gene {i}?\nAnswer   : Gene {i} is long." for i in range(12)]
    path.write_text("\n\n".join(pairs) + "\n", encoding="utf-8")
    first = build_and_compare(tmp_path)
    assert {rn.note.deck for rn in first.notes} == {"Bio::Cells"}  # a tie keeps the prefixes
    edit(path, "Question : Bio - Cells - What is cell 0?", "Question : What is cell 0?")  # now most have none
    second = build_and_compare(tmp_path)
    assert {rn.note.deck for rn in second.notes} == {"All"}
    edit(path, "Question : What is cell 0?", "Question : Bio - Cells - What is cell 0?")  # the first bytes again
    third = build_and_compare(tmp_path)
    assert [(rn.note.deck, rn.note.question) for rn in third.notes] == [(rn.note.deck, rn.note.question)
                                                                         for rn in first.notes]
    edit(path, "Gene 5 is long.", "Gene 5 is long.\n\n```\nQuestion : in a fence?\n```")
    build_and_compare(tmp_path)
    edit(path, "Cell 3 is small.", "Cell 3 is small.\n\n## A heading")  # no longer plain: read whole
    build_and_compare(tmp_path)
