"""The fast paths added for speed give exactly what the slow ones gave."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from exporter.build.pipeline import collect
from exporter.diagnostics import Diagnostics
from exporter.identity import lock as lock_module
from exporter.identity.lock import LOCK_VERSION, Lock, LockEntry
from exporter.rendering import render as render_module
from exporter.rendering.render import render_notes
from exporter.rendering.render_cache import CACHE_NAME


@pytest.mark.parametrize("chunk", [1, 2, 2000])
def test_lock_layout_is_json_dumps_indent_1(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_module, "_CHUNK", chunk)  # entries are encoded a chunk at a time
    entries = [
        LockEntry("Déck::Sub", "a.md", 3, 'Why "x" < y?\n\tTab', "answer é", "f" * 32, "g" * 20, 1_700_000_000),
        LockEntry("A", "b.md", 1, "Q", "", "0" * 32, "h" * 20, 0),
        LockEntry("A", "c.md", 1, "Gone?", "", "1" * 32, "i" * 20, 5, removed=4),
        # What the one-call encoder splits on, and what its template fills in, inside the values.
        LockEntry("A\x00B", "d %s.md", 2, "50% or %(x)s?\x00", "\u2028 \\ \"", "2" * 32, "j" * 20, 7, "cloze"),
        LockEntry("B", "e.md", 9, "Last?", "yes", "3" * 32, "k" * 20, 8),
    ]
    for lock in (Lock(entries), Lock([])):
        notes = [{k: v for k, v in asdict(entry).items() if k != "removed"}
                 for entry in sorted(lock.entries) if not entry.removed]
        removed = [asdict(entry) for entry in sorted(lock.entries) if entry.removed]
        expected = json.dumps({"version": LOCK_VERSION, "notes": notes, "removed": removed}, ensure_ascii=False,
                              indent=1, sort_keys=True)
        assert lock.to_json() == expected + "\n"


SOURCE = """Question : Deck - Sub - What is $x^{2$?
Answer   : It is `code` and $$\\frac{a}{b}$$

Question : Deck - Sub - A second one?
Answer   : Plain **bold** text.
"""


def test_render_cache_gives_the_same_notes_and_findings_even_when_notes_move(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "notes.md"
    source.write_text(SOURCE, encoding="utf-8")
    cache = tmp_path / "dist" / ".cache"
    fresh = collect([source], tmp_path, use_lock=False)
    first = collect([source], tmp_path, use_lock=False, cache_dir=cache)
    assert (cache / CACHE_NAME).is_file()
    again = collect([source], tmp_path, use_lock=False, cache_dir=cache)
    for model in (first, again):
        assert model.notes == fresh.notes
        assert model.diagnostics.sorted() == fresh.diagnostics.sorted()
    assert any(d.code == "math" and d.line == 1 for d in again.diagnostics.items)
    source.write_text("\n\n" + SOURCE, encoding="utf-8")  # every note two lines down: still cache hits
    rendered: list[object] = []
    real = render_module._render_fields

    def counted(job: tuple[object, ...], project_root: Path) -> object:
        rendered.append(job)
        return real(job, project_root)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "_render_fields", counted)
    moved = collect([source], tmp_path, use_lock=False, cache_dir=cache)
    assert rendered == []  # the note with a finding too: its entry came back in the types readers accept
    assert [d.line for d in moved.diagnostics.sorted()] == [d.line + 2 for d in fresh.diagnostics.sorted()]


def test_notes_with_images_are_rendered_afresh(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("Question : D - S - Q?\nAnswer   : ![x](pic.png)\n", encoding="utf-8")
    cache = tmp_path / ".cache"
    notes = collect([tmp_path / "notes.md"], tmp_path, use_lock=False).notes
    first = render_notes([n.note for n in notes], tmp_path, Diagnostics(), cache)
    assert "image not found" in first[0].answer_html
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    second = render_notes([n.note for n in notes], tmp_path, Diagnostics(), cache)
    assert [m.name for m in second[0].media] and "image not found" not in second[0].answer_html


def test_field_keys_tell_apart_notes_whose_texts_only_split_differently() -> None:
    from exporter.rendering.render_cache import field_key

    keys = {
        field_key("a.md", "qa", "ab", "c", 0, 1, 0, "en"),
        field_key("a.md", "qa", "a", "bc", 0, 1, 0, "en"),
        field_key("a.md", "qa", "a", None, 0, None, 0, "en"),
        field_key("a.md", "qa", "a", "", 0, None, 0, "en"),
        field_key("a.md", "qa", "a", "", 0, 1, 0, "en"),
        field_key("a.mdqa", "", "a", "", 0, 1, 0, "en"),
        field_key("a.md", "qa", "a", "", 0, 1, 0, "fr"),
        field_key("a.md", "open", "a", "", 0, 1, 0, "en"),
        field_key("a.md", "qa", "a", "", 1, 1, 0, "en"),
    }
    assert len(keys) == 9


def test_a_big_labelled_file_renders_only_the_edited_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read by groups (`reading/chunked.py`), a file has one render entry per group: an edit renders the
    edited note alone, and reading it whole (a heading added) or by groups again renders nothing."""
    from exporter.reading import chunked

    monkeypatch.setattr(chunked, "GROUP_SPREAD", 4)

    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    source = tmp_path / "all.md"
    source.write_text("\n\n".join(f"Question : Bio - Cells - What is cell {i}?\nAnswer   : Cell {i} is $x_{i}$."
                                  for i in range(200)) + "\n", encoding="utf-8")
    cache = tmp_path / "dist" / ".cache"
    collect([source], tmp_path, use_lock=False, cache_dir=cache)
    rendered: list[tuple[object, ...]] = []
    real = render_module._render_fields

    def counted(job: tuple[object, ...], project_root: Path) -> object:
        rendered.append(job)
        return real(job, project_root)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "_render_fields", counted)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_NOTES", 10**9)  # counted here, not in workers
    steps = [("Cell 150 is", "Cell 150 was"), ("Question : Bio - Cells - What is cell 0?", "# Cells\n\n"
             "Question : Bio - Cells - What is cell 0?"), ("# Cells\n\n", ""), ("Cell 7 is", "Cell 7 was")]
    for old, new in steps:
        rendered.clear()
        source.write_text(source.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        warm = collect([source], tmp_path, use_lock=False, cache_dir=cache)
        answers = [job[3] for job in rendered]
        cold = collect([source], tmp_path, use_lock=False)
        assert warm.notes == cold.notes and warm.diagnostics.sorted() == cold.diagnostics.sorted()
        assert answers == ([f"{new} $x_{new.split()[1]}$."] if " was" in new else [])
