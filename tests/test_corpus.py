"""Each realistic corpus file (`tests/corpus/NAME.md`) gives exactly the cards a student would write from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpus_score import score
from exporter.diagnostics import Diagnostics
from exporter.reading.read import read_notes
from exporter.reading.source import SourceFile
from exporter.reading.text import decode

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.expected.json"))


@pytest.mark.parametrize("expected_path", FILES, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_corpus_file_gives_its_expected_cards(expected_path: Path) -> None:
    source = expected_path.with_name(expected_path.name.removesuffix(".expected.json") + ".md")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    notes, _ = read_notes(SourceFile(source.name, source, decode(source.read_bytes()).text), Diagnostics())
    got = [{"kind": n.kind.value, "deck": n.deck, "question": n.question, "answer": n.answer} for n in notes]
    assert got == expected["notes"]


def test_the_score_script_counts_every_expected_card() -> None:
    results = score(CORPUS)
    assert sum(expected for _, expected, _ in results.values()) == sum(
        len(json.loads(p.read_text(encoding="utf-8"))["notes"]) for p in FILES
    )
    assert all(right == expected and extra == 0 for right, expected, extra in results.values())
