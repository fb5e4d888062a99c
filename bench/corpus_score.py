"""How many of the corpus' expected cards come out right, per style: `python bench/corpus_score.py [DIR]`.

A card is right when a note with the same kind, deck, question and answer comes out
of its file (each expected card matched once); extra notes are counted apart.
Reads `tests/corpus/*.md` with their `*.expected.json` by default.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def card_key(note: dict[str, object]) -> tuple[object, ...]:
    return note["kind"], note["deck"], note["question"], note["answer"]


def score(folder: Path) -> dict[str, tuple[int, int, int]]:
    """style -> (right, expected, extra notes)."""
    from exporter.diagnostics import Diagnostics
    from exporter.reading.read import read_notes
    from exporter.reading.source import SourceFile
    from exporter.reading.text import decode

    totals: dict[str, list[int]] = {}
    for expected_path in sorted(folder.glob("*.expected.json")):
        source_path = expected_path.with_name(expected_path.name.removesuffix(".expected.json") + ".md")
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        text = decode(source_path.read_bytes()).text
        notes, _ = read_notes(SourceFile(source_path.name, source_path, text), Diagnostics())
        got = Counter(card_key({"kind": n.kind.value, "deck": n.deck, "question": n.question, "answer": n.answer})
                      for n in notes)
        right = 0
        for card in expected["notes"]:
            if got[card_key(card)] > 0:
                got[card_key(card)] -= 1
                right += 1
        total = totals.setdefault(expected["style"], [0, 0, 0])
        total[0] += right
        total[1] += len(expected["notes"])
        total[2] += sum(got.values())
    return {style: (r, e, x) for style, (r, e, x) in totals.items()}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "corpus"
    results = score(folder)
    width = max((len(s) for s in results), default=5)
    for style, (right, expected, extra) in sorted(results.items()):
        print(f"{style:<{width}}  {right:>3}/{expected:<3} cards right  {extra} extra")
    right = sum(r for r, _, _ in results.values())
    expected = sum(e for _, e, _ in results.values())
    print(f"{'all':<{width}}  {right:>3}/{expected:<3} cards right")


if __name__ == "__main__":
    main()
