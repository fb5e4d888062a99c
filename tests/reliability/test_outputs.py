"""Every deck gets its own bounded file; a folder or disk that refuses writes is a clear error."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.reliability.harness import GOOD_NOTE, exporter, project_with

DECK_NAMES = ["Café", "Cafe", "A/B", "A B", "日本語", "Русский", "x" * 245, "Long deck name " * 33]


def _deck_file(name: str) -> str:
    return f"# {name}\n\n{GOOD_NOTE.replace('Good question', f'What is {name[:20]}')}"


def _decks_in(apkg: Path) -> str:
    with zipfile.ZipFile(apkg) as archive:
        return archive.read("collection.anki2").decode("latin-1")


def test_each_deck_gets_its_own_bounded_readable_file(tmp_path: Path) -> None:
    project = project_with(tmp_path, {f"deck{i}.md": _deck_file(n) for i, n in enumerate(DECK_NAMES)})
    run = exporter(project, "build", "--no-lock", "--format", "apkg")
    assert run.returncode == 0, run.output
    built = sorted(p.name for p in (project / "dist").glob("*.apkg"))
    assert len(built) == len(DECK_NAMES) + 1  # the good deck too
    assert all(len(name.encode()) <= 130 for name in built)
    assert "日本語.apkg" in built and "русский.apkg" in built and "cafe.apkg" in built and "a-b.apkg" in built
    assert "'Café' is written as" in run.stderr and "'A/B' is written as" in run.stderr
    assert sum(run.stdout.count(f"built dist/{name} ") for name in built) == len(built)


def test_names_are_the_same_on_the_next_build(tmp_path: Path) -> None:
    project = project_with(tmp_path, {f"deck{i}.md": _deck_file(n) for i, n in enumerate(DECK_NAMES[:4])})
    exporter(project, "build", "--no-lock", "--format", "apkg")
    first = sorted(p.name for p in (project / "dist").glob("*.apkg"))
    exporter(project, "build", "--no-lock", "--format", "apkg", "--force")
    assert sorted(p.name for p in (project / "dist").glob("*.apkg")) == first


def test_a_file_in_the_way_of_the_output_folder(tmp_path: Path) -> None:
    project = project_with(tmp_path, {})
    (project / "dist").write_text("not a folder")
    lock = project / "sources" / "exporter.lock"
    run = exporter(project, "build")
    assert run.returncode == 1
    assert "output folder dist" in run.stderr and "nothing was written" in run.stderr
    assert (project / "dist").read_text() == "not a folder"
    assert not lock.exists()


@contextlib.contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at `where` (root only); skips the test where mounting is not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root and mount for a tmpfs")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_output_folder(tmp_path: Path) -> None:
    project = project_with(tmp_path, {})
    with _tmpfs(project / "ro", "size=1m,ro"):
        run = exporter(project, "build", "--out", "ro/dist")
    assert run.returncode == 1
    assert "cannot write to output folder ro/dist" in run.stderr and "Read-only" in run.stderr
    assert not (project / "sources" / "exporter.lock").exists()


def test_a_full_disk_keeps_earlier_outputs_and_the_lock_whole(tmp_path: Path) -> None:
    big = "\n".join(f"## Q{i}. Question {i} {'padding ' * 200}?\n\n**Réponse :** answer {i}\n" for i in range(40))
    project = project_with(tmp_path, {"big.md": f"# Big deck\n\n{big}"})
    with _tmpfs(project / "disk", "size=64k"):
        first = exporter(project, "build", "--format", "apkg", "--out", "disk/dist")
        assert first.returncode == 0, first.output
        outputs = {p.name: p.read_bytes() for p in (project / "disk" / "dist").glob("*.apkg")}
        lock = (project / "sources" / "exporter.lock").read_bytes()
        (project / "sources" / "big.md").write_text(f"# Big deck\n\n{big}{big.replace('Question', 'Other')}")
        filler = project / "disk" / "filler"
        with contextlib.suppress(OSError):
            filler.write_bytes(b"\0" * 1_000_000)
        run = exporter(project, "build", "--format", "apkg", "--out", "disk/dist")
        assert run.returncode == 1
        assert "No space left on device" in run.stderr and "big-deck.apkg" in run.stderr
        for name, data in outputs.items():
            assert (project / "disk" / "dist" / name).read_bytes() == data
        assert [p.name for p in (project / "disk" / "dist").iterdir() if p.name.endswith(".tmp")] == []
        after = (project / "sources" / "exporter.lock").read_bytes()
        assert after == lock or "Good question" in json.loads(after).__repr__()
