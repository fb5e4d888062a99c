"""Hostile source files next to a good one: checked and built within a time budget, no traceback,
and the good file's note always arrives (issue 13's bad-input campaign, as regression tests).

Each case runs the CLI in a subprocess with a timeout: a hang fails its case in seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.hostile.cases import GOOD, cases
from tests.reliability.harness import exporter

CHECK_BUDGET = 30.0
"""Seconds for `check` of one hostile file of up to 1 MB (before the fixes: over 60 s, killed)."""
ALL_CASES = cases(1.0)
QUICK = {name: data for name, data in cases(0.1).items()}


def _project(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "good.md").write_bytes(GOOD)
    (tmp_path / "sources" / f"{name}.md").write_bytes(data)
    return tmp_path


def _check(project: Path) -> str:
    run = exporter(project, "check", "sources", budget=CHECK_BUDGET)
    assert run.returncode in (0, 1)
    for line in run.stdout.splitlines()[:-1]:  # every finding has a path and a line (or is about the file)
        assert line.startswith("sources/"), line
    return run.stdout


def test_small_hostile_files_are_checked_together(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "good.md").write_bytes(GOOD)
    for name, data in QUICK.items():
        (tmp_path / "sources" / f"{name}.md").write_bytes(data)
    output = _check(tmp_path)
    assert output.splitlines()[-1].startswith(f"{len(QUICK) + 1} files")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_full_size_hostile_file_is_checked_in_time(tmp_path: Path, name: str) -> None:
    start = time.monotonic()
    _check(_project(tmp_path, name, ALL_CASES[name]))
    assert time.monotonic() - start < CHECK_BUDGET


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nested-divs", "utf16le-bom-nul", "nul-bytes", "dollars-answer", "long-line"])
def test_hostile_file_does_not_cost_the_good_deck(tmp_path: Path, name: str) -> None:
    project = _project(tmp_path, name, ALL_CASES[name])
    (project / "sources" / "good.md").write_text("# Good deck\n\n" + GOOD.decode(), encoding="utf-8")
    run = exporter(project, "build", "sources", budget=180)
    assert (project / "dist" / "good-deck.apkg").is_file() and (project / "dist" / "good-deck.pdf").is_file()
    assert (project / "sources" / "exporter.lock").is_file()
    assert run.returncode in (0, 1)
