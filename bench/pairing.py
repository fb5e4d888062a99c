"""The worst case of identity: a file of N questions replaced by N other questions in the same deck.

Run from the project root: `python bench/pairing.py [N]` (default 5,000). Nothing pairs by
fingerprint or by question, so every left-over new note is compared with the left-over
old ones; the word index (`exporter.identity.resolve._WordIndex`) keeps that from being
N x N `SequenceMatcher` calls (about 20 us each). Prints the seconds `resolve` took.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exporter.identity.resolve import resolve  # noqa: E402
from exporter.model import Note, NoteKind, RenderedNote, SourceLocation  # noqa: E402


def notes(count: int, rng: random.Random, vocabulary: list[str]) -> list[RenderedNote]:
    made = []
    for line in range(count):
        question = " ".join(rng.choices(vocabulary, k=8)) + " ?"
        answer = " ".join(rng.choices(vocabulary, k=30))
        note = Note("Deck", NoteKind.QA, question, answer, SourceLocation("sources/a.md", line + 1))
        made.append(RenderedNote(note, question, answer, "", "sources/a.md"))
    return made


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    rng = random.Random(1)
    vocabulary = [f"word{i}" for i in range(3_000)]
    lock = resolve(notes(count, rng, vocabulary), None, {}).lock
    replaced = notes(count, rng, vocabulary)
    started = time.perf_counter()
    result = resolve(replaced, lock, {})
    seconds = time.perf_counter() - started
    print(f"{count} questions replaced by {count} others: resolve {seconds:.2f} s "
          f"({len(result.added)} added, {len(result.removed)} removed)")


if __name__ == "__main__":
    main()
