"""The floor: a bare genanki script writing the same notes, already rendered. No Markdown, no checks.

Run: `python bench/floor.py NOTES.jsonl OUT.apkg`, where each line of NOTES.jsonl is
`[guid, question_html, answer_html, tags]` (bench/run.py takes them from the `.apkg`
the exporter built, so both write exactly the same fields). One model, one deck,
genanki's own `write_to_file`: what any tool built on genanki pays at least.
"""

from __future__ import annotations

import json
import sys

import genanki


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    model = genanki.Model(1607392319, "Floor", fields=[{"name": "Question"}, {"name": "Answer"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{Answer}}"}])
    deck = genanki.Deck(2059400110, "Floor")
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            guid, question, answer, tags = json.loads(line)
            deck.add_note(genanki.Note(model=model, fields=[question, answer], guid=guid, tags=tags))
    genanki.Package(deck).write_to_file(target)


if __name__ == "__main__":
    main()
