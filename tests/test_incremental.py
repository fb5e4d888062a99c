"""`exporter build` rewrites only what changed, keeps note identity and says what it did."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from exporter.build import incremental
from exporter.identity import lock as lock_module
from exporter.cli import main
from tests.regen_support import install, make_project

BIO = "## What is a cell?\nThe smallest unit of life.\n\n## What is DNA?\nThe molecule that carries genetic information.\n"
CHEM = "## What is an atom?\nThe smallest unit of a chemical element.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    install(monkeypatch)
    make_project(tmp_path, {"biology.md": BIO, "chemistry.md": CHEM})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*args: str) -> Result:
    result = CliRunner().invoke(main, ["build", "--format", "html", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def stamps(folder: Path) -> dict[str, tuple[bytes, int]]:
    """The outputs' bytes and mtimes (the manifest itself is bookkeeping, left out)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.name[0] != "."}


def test_first_build_writes_everything_and_the_lock(project: Path) -> None:
    result = build()
    assert result.exit_code == 0
    assert "built dist/biology.txt (2 notes)" in result.output
    assert "built dist/chemistry.txt (1 notes)" in result.output
    lock = json.loads((project / "exporter.lock").read_text(encoding="utf-8"))
    assert [n["question"] for n in lock["notes"]] == ["What is a cell?", "What is DNA?", "What is an atom?"]
    assert (project / "dist" / ".exporter-manifest.json").is_file()


def test_noop_rebuild_rewrites_nothing(project: Path) -> None:
    build()
    before = stamps(project / "dist")
    lock_before = (project / "exporter.lock").stat().st_mtime_ns
    result = build()
    assert result.exit_code == 0
    assert result.output.splitlines() == ["unchanged dist/biology.txt", "unchanged dist/chemistry.txt", "nothing changed"]
    assert stamps(project / "dist") == before
    assert (project / "exporter.lock").stat().st_mtime_ns == lock_before


def test_touched_but_unchanged_source_reads_again_and_rewrites_nothing(project: Path) -> None:
    build()
    before = stamps(project / "dist")
    (project / "sources" / "biology.md").write_text(BIO + "\n", encoding="utf-8")  # whitespace only
    result = build()
    assert "unchanged dist/biology.txt" in result.output and "built" not in result.output
    assert stamps(project / "dist") == before


def test_one_changed_file_rebuilds_only_its_output(project: Path) -> None:
    build()
    before = stamps(project / "dist")
    (project / "sources" / "biology.md").write_text(BIO.replace("smallest unit of life", "basic unit of life"))
    result = build()
    assert "built dist/biology.txt (2 notes)" in result.output
    assert "unchanged dist/chemistry.txt" in result.output
    assert "Biology: 0 added, 1 updated, 0 removed" in result.output
    after = stamps(project / "dist")
    assert after["chemistry.txt"] == before["chemistry.txt"]
    assert after["biology.txt"] != before["biology.txt"]


def test_deleted_note_is_named_in_the_summary(project: Path) -> None:
    build()
    (project / "sources" / "biology.md").write_text(BIO.split("\n\n")[1], encoding="utf-8")
    result = build()
    assert "Biology: 0 added, 0 updated, 1 removed" in result.output
    assert "removed from Biology: 'What is a cell?' (was sources/biology.md:1)" in result.output
    lock = json.loads((project / "exporter.lock").read_text(encoding="utf-8"))
    assert "What is a cell?" not in [n["question"] for n in lock["notes"]]


def test_rebuild_after_edit_keeps_guids(project: Path) -> None:
    build()
    first = (project / "dist" / "biology.txt").read_text().splitlines()
    (project / "sources" / "biology.md").write_text(BIO.replace("What is DNA?", "What is DNA made for?"))
    build()
    second = (project / "dist" / "biology.txt").read_text().splitlines()
    assert [line.split()[0] for line in second] == [line.split()[0] for line in first]
    assert first[0] == second[0]  # the untouched note: same GUID, same modification time, same text
    assert int(second[1].split()[1]) > int(first[1].split()[1])


def test_force_rebuilds_everything(project: Path) -> None:
    build()
    result = build("--force")
    assert "built dist/biology.txt (2 notes)" in result.output
    assert "built dist/chemistry.txt (1 notes)" in result.output


def test_missing_or_altered_output_is_rebuilt(project: Path) -> None:
    build()
    (project / "dist" / "chemistry.txt").unlink()
    (project / "dist" / "biology.txt").write_text("scribbled")
    result = build()
    assert "built dist/chemistry.txt (1 notes)" in result.output
    assert "built dist/biology.txt (2 notes)" in result.output


def test_changed_option_rebuilds(project: Path) -> None:
    build()
    result = build("--paper", "letter")
    assert "built dist/biology.txt (2 notes)" in result.output


def test_byte_identical_rebuild_in_a_fresh_output_folder(project: Path) -> None:
    build()
    build("--out", "again")
    assert (project / "dist" / "biology.txt").read_bytes() == (project / "again" / "biology.txt").read_bytes()


def test_no_lock_neither_reads_nor_writes_it(project: Path) -> None:
    result = build("--no-lock")
    assert result.exit_code == 0
    assert not (project / "exporter.lock").exists()


def test_unwritable_lock_is_a_warning_not_a_crash(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(incremental, "save_lock_file", refuse)
    result = build()
    assert result.exit_code == 0
    assert "built dist/biology.txt (2 notes)" in result.output
    assert "warning: cannot write" in result.output and "note identities not saved" in result.output
    assert not (project / "exporter.lock").exists()


def test_corrupt_lock_stops_the_build_and_is_left_alone(project: Path) -> None:
    (project / "exporter.lock").write_text("<<<<<<< HEAD\n", encoding="utf-8")
    result = build()
    assert result.exit_code == 1
    assert "exporter.lock: error: not valid JSON (line 1 column 1: Expecting value); it looks like an " \
           "unresolved merge conflict" in result.output
    assert "nothing was built" in result.output and "build with --reset-lock" in result.output
    assert list((project / "dist").glob("*.txt")) == []
    assert (project / "exporter.lock").read_text(encoding="utf-8") == "<<<<<<< HEAD\n"


def test_reset_lock_starts_a_new_lock_and_keeps_the_old_one_as_backup(project: Path) -> None:
    (project / "exporter.lock").write_text("<<<<<<< HEAD\n", encoding="utf-8")
    result = build("--reset-lock")
    assert result.exit_code == 0, result.output
    assert "built dist/biology.txt (2 notes)" in result.output
    assert (project / "exporter.lock.bak").read_text(encoding="utf-8") == "<<<<<<< HEAD\n"
    assert "is kept as exporter.lock.bak" in result.output
    lock = json.loads((project / "exporter.lock").read_text(encoding="utf-8"))
    assert len(lock["notes"]) == 3


def test_no_lock_builds_past_an_unreadable_lock_without_touching_it(project: Path) -> None:
    (project / "exporter.lock").write_text("{}", encoding="utf-8")
    result = build("--no-lock")
    assert result.exit_code == 0 and "built dist/biology.txt (2 notes)" in result.output
    assert (project / "exporter.lock").read_text(encoding="utf-8") == "{}"


def test_malformed_entries_are_reported_good_ones_kept_and_the_old_lock_backed_up(project: Path) -> None:
    build()
    path = project / "exporter.lock"
    data = json.loads(path.read_text(encoding="utf-8"))
    guids = {n["question"]: n["guid"] for n in data["notes"]}
    data["notes"][0]["modified"] = "yesterday"
    damaged = json.dumps(data, indent=1)
    path.write_text(damaged, encoding="utf-8")
    result = build()
    assert result.exit_code == 0, result.output
    assert "exporter.lock:" in result.output and "warning: notes entry 1: 'modified' must be a whole number, " \
           "found text; entry skipped [lock]" in result.output
    after = {n["question"]: n["guid"] for n in json.loads(path.read_text(encoding="utf-8"))["notes"]}
    assert after == guids  # the skipped note's GUID is derived again from deck and question: the same here
    assert (project / "exporter.lock.bak").read_text(encoding="utf-8") == damaged


def test_building_a_sub_folder_uses_the_one_project_lock(project: Path) -> None:
    (project / "sources" / "sub").mkdir()
    (project / "sources" / "sub" / "physics.md").write_text("## What is a force?\nA push or a pull.\n")
    build()
    guids = json.loads((project / "exporter.lock").read_text(encoding="utf-8"))
    (project / "sources" / "sub" / "physics.md").write_text("## What is a force, exactly?\nA push or a pull.\n")
    result = CliRunner().invoke(main, ["build", "--format", "html", "sources/sub"])
    assert result.exit_code == 0, result.output
    assert "Physics: 0 added, 1 updated, 0 removed" in result.output
    assert not (project / "sources" / "sub" / "exporter.lock").exists()
    after = json.loads((project / "exporter.lock").read_text(encoding="utf-8"))
    assert {n["guid"] for n in after["notes"]} == {n["guid"] for n in guids["notes"]}
    assert after["removed"] == []  # the files not built are carried over, not removed


def test_dump_and_check_do_not_write_the_lock(project: Path) -> None:
    CliRunner().invoke(main, ["dump"])
    CliRunner().invoke(main, ["check"])
    assert not (project / "exporter.lock").exists()


def test_interrupted_build_keeps_previous_lock(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build()
    lock_path = project / "exporter.lock"
    before = lock_path.read_bytes()
    (project / "sources" / "biology.md").write_text(BIO.replace("What is DNA?", "What is DNA made for?"))
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> "HalfWriter":
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> None:
            self.handle.write(data[: len(data) // 2])  # type: ignore[attr-defined]
            raise KeyboardInterrupt

    monkeypatch.setattr(lock_module.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    result = CliRunner().invoke(main, ["build", "--format", "html"])
    assert result.exit_code == 1 and "Aborted!" in result.output  # click's answer to Ctrl-C
    assert lock_path.read_bytes() == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith((".", "exporter"))) == [
        "exporter.lock", "exporter.toml"]


def test_sheets_are_redrawn_when_the_math_engine_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from exporter.output import mathengine
    from exporter.build.incremental import options_key
    from exporter.output.writers import WriteOptions

    options = WriteOptions(project_root=tmp_path)
    monkeypatch.setattr(mathengine, "find_mathjax", lambda _root: None)
    without_node = options_key(options)
    monkeypatch.setattr(mathengine, "find_mathjax", lambda _root: tmp_path)
    assert options_key(options) != without_node


def test_check_reports_an_unreadable_lock_as_an_error(project: Path) -> None:
    (project / "exporter.lock").write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "exporter.lock: error: not a lock: the file must hold an object, found a list;" in result.output


def test_removed_note_is_emitted_tagged_then_forgotten_after_the_window_with_a_backup(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exporter.identity import resolve as resolve_module

    build()
    (project / "sources" / "biology.md").write_text(BIO.split("\n\n")[1], encoding="utf-8")
    result = build()
    assert "1 removed note stays in the decks until" in result.output
    lock = json.loads((project / "exporter.lock").read_text(encoding="utf-8"))
    assert [n["question"] for n in lock["removed"]] == ["What is a cell?"]
    later = lock["removed"][0]["removed"] + resolve_module.REMOVED_DAYS * 86_400
    monkeypatch.setattr(resolve_module.time, "time", lambda: later)
    (project / "sources" / "chemistry.md").write_text(CHEM + "\n## What is a bond?\nA link.\n", encoding="utf-8")
    result = build()
    assert "removed note" not in result.output
    assert json.loads((project / "exporter.lock").read_text(encoding="utf-8"))["removed"] == []
    assert "is kept as exporter.lock.bak" in result.output
    backup = json.loads((project / "exporter.lock.bak").read_text(encoding="utf-8"))
    assert [n["question"] for n in backup["removed"]] == ["What is a cell?"]
