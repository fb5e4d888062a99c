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
    lock = json.loads((project / "sources" / "exporter.lock").read_text(encoding="utf-8"))
    assert [n["question"] for n in lock["notes"]] == ["What is a cell?", "What is DNA?", "What is an atom?"]
    assert (project / "dist" / ".exporter-manifest.json").is_file()


def test_noop_rebuild_rewrites_nothing(project: Path) -> None:
    build()
    before = stamps(project / "dist")
    lock_before = (project / "sources" / "exporter.lock").stat().st_mtime_ns
    result = build()
    assert result.exit_code == 0
    assert result.output.splitlines() == ["unchanged dist/biology.txt", "unchanged dist/chemistry.txt", "nothing changed"]
    assert stamps(project / "dist") == before
    assert (project / "sources" / "exporter.lock").stat().st_mtime_ns == lock_before


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
    lock = json.loads((project / "sources" / "exporter.lock").read_text(encoding="utf-8"))
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
    assert not (project / "sources" / "exporter.lock").exists()


def test_unwritable_lock_is_a_warning_not_a_crash(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(incremental, "write_lock", refuse)
    result = build()
    assert result.exit_code == 0
    assert "built dist/biology.txt (2 notes)" in result.output
    assert "warning: cannot write" in result.output and "note identities not saved" in result.output
    assert not (project / "sources" / "exporter.lock").exists()


def test_corrupt_lock_is_reported_and_left_alone(project: Path) -> None:
    (project / "sources" / "exporter.lock").write_text("<<<<<<< HEAD\n", encoding="utf-8")
    result = build()
    assert "sources/exporter.lock: error: lock file is not valid" in result.output
    assert (project / "sources" / "exporter.lock").read_text(encoding="utf-8") == "<<<<<<< HEAD\n"


def test_dump_and_check_do_not_write_the_lock(project: Path) -> None:
    CliRunner().invoke(main, ["dump"])
    CliRunner().invoke(main, ["check"])
    assert not (project / "sources" / "exporter.lock").exists()


def test_interrupted_build_keeps_previous_lock(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build()
    lock_path = project / "sources" / "exporter.lock"
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
    assert sorted(p.name for p in (project / "sources").iterdir()) == ["biology.md", "chemistry.md", "exporter.lock"]


def test_sheets_are_redrawn_when_the_math_engine_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from exporter.output import mathengine
    from exporter.build.incremental import options_key
    from exporter.output.writers import WriteOptions

    options = WriteOptions(project_root=tmp_path)
    monkeypatch.setattr(mathengine, "find_mathjax", lambda _root: None)
    without_node = options_key(options)
    monkeypatch.setattr(mathengine, "find_mathjax", lambda _root: tmp_path)
    assert options_key(options) != without_node
