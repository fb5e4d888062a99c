"""The lock file: readable, stable, and never left corrupt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from exporter.identity import lock as lock_module
from exporter.identity.resolve import resolve
from exporter.identity.lock import Lock, LockEntry, LockError, lock_path_for, read_lock, write_lock
from exporter.model import Note, NoteKind, SourceLocation


def sample_lock() -> Lock:
    notes = [
        Note("Deck B", NoteKind.QA, "Zweite Frage?", "Antwort.", SourceLocation("sources/b.md", 4)),
        Note("Deck A", NoteKind.QA, "Première question ?", "Réponse « ici ».", SourceLocation("sources/a.md", 7)),
        Note("Deck A", NoteKind.OPEN, "Open one?", None, SourceLocation("sources/a.md", 2)),
    ]
    return resolve(notes, None, {"sources/a.md": 111, "sources/b.md": 222}).lock


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    lock = sample_lock()
    write_lock(path, lock)
    again = read_lock(path)
    assert again is not None
    assert sorted(again.entries) == sorted(lock.entries)
    assert again.to_json() == path.read_text(encoding="utf-8")


def test_file_is_sorted_readable_json(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert [(n["deck"], n["line"]) for n in data["notes"]] == [("Deck A", 2), ("Deck A", 7), ("Deck B", 4)]
    assert "Première question ?" in text  # as written, unescaped
    assert data["notes"][1]["answer_start"] == "réponse ici"
    assert data["notes"][0] == {
        "answer_start": "", "deck": "Deck A", "fingerprint": data["notes"][0]["fingerprint"],
        "guid": data["notes"][0]["guid"], "line": 2, "modified": 111, "question": "Open one?",
        "source": "sources/a.md",
    }


def test_missing_lock_reads_as_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "exporter.lock") is None


@pytest.mark.parametrize("content", ["{not json", '{"version": 99, "notes": []}', '{"version": 1, "notes": [{"x": 1}]}'])
def test_unusable_lock_raises_lock_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "exporter.lock"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LockError):
        read_lock(path)


def test_interrupted_write_leaves_the_old_lock_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    before = path.read_bytes()

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # the user hits Ctrl-C after the data is written, before the rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_lock(path, Lock([]))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exporter.lock"]  # no temporary left behind


def test_unchanged_lock_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    write_lock(path, sample_lock())
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_read_only_folder_raises_os_error_and_keeps_old_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    before = path.read_bytes()

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")  # what mkstemp raises in a read-only folder

    monkeypatch.setattr(lock_module.tempfile, "mkstemp", read_only)
    with pytest.raises(PermissionError):
        write_lock(path, Lock([]))
    assert path.read_bytes() == before


def test_lock_lives_in_the_folder_holding_the_sources(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "sub").mkdir(parents=True)
    (sources / "a.md").write_text("x")
    (sources / "sub" / "b.md").write_text("x")
    assert lock_path_for([sources], tmp_path) == sources.resolve() / "exporter.lock"
    assert lock_path_for([sources / "a.md", sources / "sub" / "b.md"], tmp_path) == sources.resolve() / "exporter.lock"


def test_entry_field_order_is_the_sort_order() -> None:
    a = LockEntry("A", "s.md", 9, "q", "", "f", "g", 1)
    b = LockEntry("A", "s.md", 10, "q", "", "f", "g", 1)
    assert sorted([b, a]) == [a, b]


def test_new_lock_is_readable_by_others_like_any_new_file(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    old_umask = os.umask(0o022)
    try:
        write_lock(path, sample_lock())
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o644
