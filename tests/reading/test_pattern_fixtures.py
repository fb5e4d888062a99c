"""Fixture files of the Obsidian, Anki cloze, terms and multiple-choice patterns: each `.md` gives exactly its `.json`.

Every fixture is a whole file read by all patterns, so a fixture also shows that no
other pattern takes the lines first. `UPDATE_FIXTURES=1` rewrites the `.json` files
from what the reader gives today: read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from exporter.diagnostics import Diagnostics
from exporter.reading.read import read_notes
from exporter.reading.source import SourceFile

FIXTURES = Path(__file__).parent / "fixtures"
PATTERNS = ("obsidian", "anki-cloze", "terms", "multiple-choice")
CASES = sorted(path for name in PATTERNS for path in (FIXTURES / name).glob("*.md"))


def read_fixture(path: Path) -> dict[str, Any]:
    """The notes and findings of one fixture, in the shape of its `.json`."""
    relative = path.relative_to(FIXTURES).as_posix()
    diagnostics = Diagnostics()
    notes, _ = read_notes(SourceFile(relative, path, path.read_text(encoding="utf-8")), diagnostics)
    return {
        "notes": [
            {
                "kind": n.kind.value, "deck": n.deck, "question": n.question, "answer": n.answer,
                "line": n.source.line, "answer_line": n.answer_line, "context": n.context, "section": n.section,
                "tags": list(n.tags),
            }
            for n in notes
        ],
        "findings": [f"{d.line} {d.level.value} {d.code}" for d in diagnostics.sorted()],
    }


@pytest.mark.parametrize("path", CASES, ids=[p.relative_to(FIXTURES).as_posix() for p in CASES])
def test_fixture_gives_exactly_its_notes(path: Path) -> None:
    expected_path = path.with_suffix(".json")
    got = read_fixture(path)
    if os.environ.get("UPDATE_FIXTURES"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_pattern_has_fixtures() -> None:
    for name in PATTERNS:
        assert len(list((FIXTURES / name).glob("*.md"))) >= 4, name
