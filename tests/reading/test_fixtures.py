"""Every fixture `tests/reading/fixtures/<pattern>/<behaviour>.md` gives exactly the notes in its `.json`.

One behaviour per file, input and expected output side by side (as mdit-py-plugins
keeps its fixtures): the notes with their kind, deck, question and answer as
written, 1-based source and answer lines, context trail, section and tags, and
every finding reading reports. A `<behaviour>.options.json` sets what
`exporter.toml` would (labels, patterns turned off, the one reader).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exporter.reading.patterns import PATTERNS
from tests.reading.fixture_json import actual
from tests.reading.support import read_file

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.with_suffix(".md") for p in FIXTURES.glob("*/*.json") if not p.name.endswith(".options.json"))
MINE = ("details", "mdanki", "labels", "question-headings", "bold-question", "open-list")


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_gives_exactly_its_expected_notes(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert actual(path) == expected


def test_every_pattern_has_fixtures() -> None:
    covered = {p.parent.name for p in CASES} | {"labels", "question-headings", "open-list", "sections"}
    assert {p.name for p in PATTERNS} <= covered


def test_crlf_fixture_really_has_crlf_line_ends() -> None:
    assert b"\r\n" in (FIXTURES / "labels" / "two-space-breaks-crlf.md").read_bytes()


@pytest.mark.parametrize("pattern", MINE)
def test_obsidian_cards_are_left_to_their_own_pattern(pattern: str) -> None:
    """`front::back` and `?` separators are not labels, headings, details or bold questions."""
    notes, _ = read_file(FIXTURES / "mixed" / "obsidian-is-not-mine.md", only=pattern)
    assert notes == []
