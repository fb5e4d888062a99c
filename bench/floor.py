"""The floor: a bare genanki script writing the benchmark's N notes, no Markdown, no checks.

Run: `python bench/floor.py N OUT.apkg`. Same question and answer text as bench/corpus.py
writes, one model, one deck, genanki's own `write_to_file`: what any tool built on
genanki pays at least.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import genanki  # noqa: E402

from corpus import _body, _question  # noqa: E402


def main() -> None:
    count, target = int(sys.argv[1]), sys.argv[2]
    model = genanki.Model(1607392319, "Floor", fields=[{"name": "Question"}, {"name": "Answer"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{Answer}}"}])
    deck = genanki.Deck(2059400110, "Floor")
    for i in range(count):
        deck.add_note(genanki.Note(model=model, fields=[_question(i), _body(i)], guid=f"floor{i}"))
    genanki.Package(deck).write_to_file(target)


if __name__ == "__main__":
    main()
