"""`exporter watch` in a thread on a temporary project: rebuild on save, hold back on new errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from exporter.build.watch import Watcher, is_source_change
from exporter.output.writers import WRITERS, WriteOptions
from tests.regen_support import install, make_project

BIO = "## What is a cell?\nThe smallest unit of life.\n\n## What is DNA?\nThe molecule that carries genetic information.\n"


def wait_for(lines: list[str], text: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never printed; got {lines}")


def _biology_watcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Watcher, list[str]]:
    """A watcher of a one-file project in `tmp_path`, writing HTML to `dist/`, and the lines it prints."""
    install(monkeypatch)
    make_project(tmp_path, {"biology.md": BIO})
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    watcher = Watcher([tmp_path / "sources"], tmp_path, tmp_path / "dist", ("html",), WRITERS,
                      WriteOptions(project_root=tmp_path), lines.append)
    return watcher, lines


def test_watch_rebuilds_on_save_and_keeps_last_good_output_on_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watcher, lines = _biology_watcher(tmp_path, monkeypatch)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, kwargs={"debounce_ms": 100, "stop_event": stop})
    thread.start()
    output = tmp_path / "dist" / "biology.txt"
    source = tmp_path / "sources" / "biology.md"
    try:
        wait_for(lines, "watching")
        assert f"built {output} (2 notes)" in lines
        time.sleep(0.3)  # let the watcher settle on its first scan

        source.write_text(BIO.replace("What is DNA?", "What is DNA made of?") + "## What is RNA?\nA single strand.\n")
        wait_for(lines, "Biology: 1 added, 1 updated, 0 removed")
        good = output.read_bytes()
        assert b"What is RNA?" in good

        lines.clear()
        source.write_text(BIO + "!! unfinished thought\n")
        wait_for(lines, "kept the last good outputs")
        assert "sources/biology.md:6: error: unfinished thought [test-error]" in lines
        assert "errors in sources/biology.md: kept the last good outputs" in lines
        assert output.read_bytes() == good

        lines.clear()
        source.write_text(BIO)
        wait_for(lines, "Biology: 0 added, 1 updated, 1 removed")  # DNA question reworded back
        assert "removed from Biology: 'What is RNA?' (was sources/biology.md:6)" in lines
        assert b"What is RNA?" not in output.read_bytes()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_only_sources_trigger_a_rebuild() -> None:
    assert is_source_change("/p/sources/biology.md")
    assert is_source_change("/p/sources/img/cell.png")
    assert not is_source_change("/p/sources/exporter.lock")
    assert not is_source_change("/p/sources/exporter.lock.bak")  # the backup the build keeps
    assert not is_source_change("/p/sources/.exporter.lock.abc.tmp")
    assert not is_source_change("/p/sources/.hidden/x.md")
    assert not is_source_change("/p/sources/sedxg5ix9")  # `sed -i` writes one beside the file it edits


def test_a_watch_rebuild_waits_while_another_build_holds_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    from exporter.build.outfolder import GUARD_NAME

    watcher, lines = _biology_watcher(tmp_path, monkeypatch)
    (tmp_path / "dist").mkdir()
    output = tmp_path / "dist" / "biology.txt"
    with open(tmp_path / "dist" / GUARD_NAME, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a `build` in another process would
        thread = threading.Thread(target=watcher.rebuild)
        thread.start()
        wait_for(lines, "waiting for another build")
        time.sleep(0.3)
        assert not output.exists()
        fcntl.flock(held, fcntl.LOCK_UN)
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert output.exists()


def test_a_watch_rebuild_into_a_file_says_so_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    watcher, lines = _biology_watcher(tmp_path, monkeypatch)
    (tmp_path / "dist").write_text("not a folder")
    assert watcher.rebuild() is False
    assert any(line.startswith("error: cannot write to output folder") for line in lines)
