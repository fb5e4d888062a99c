"""The five shipped sources give exactly the notes they gave before the reading core was rebuilt.

`tests/golden/sources_dump.json` is `exporter dump sources` as of that change (270 notes,
GUIDs from `sources/exporter.lock`). Fields added to the dump since are ignored; every
field the golden holds must be equal, note by note, in order, and no finding may be lost.
"""

from __future__ import annotations

import json
from pathlib import Path

from exporter.build.pipeline import collect
from exporter.serialize import model_to_json

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "sources_dump.json"
NEW_CODES = {"unused"}
"""Finding codes added since the golden was taken: reported text left off the cards."""


def test_the_shipped_sources_give_the_golden_notes_and_findings() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    dump = model_to_json(collect([ROOT / "sources"], ROOT))
    notes = [{key: note[key] for key in golden["notes"][0]} for note in dump["notes"]]
    assert len(notes) == len(golden["notes"])
    for expected, got in zip(golden["notes"], notes):
        assert got == expected, expected["source"]
    assert [d for d in dump["diagnostics"] if d["code"] not in NEW_CODES] == golden["diagnostics"]
    unused = [(d["path"], d["line"]) for d in dump["diagnostics"] if d["code"] == "unused"]
    assert unused == [
        ("sources/deep-learning-questions-de-cours.md", 1336),  # `# FIN – BANQUE ...`, a closing heading
        ("sources/lesson-transfer-learning.md", 38),  # `## Exercice`: only a lead-in and links under it
        ("sources/lesson-transfer-learning.md", 40),  # `Voyons ... :` lead-in to the links
        ("sources/lesson-transfer-learning.md", 42),  # links to notebooks
        ("sources/lesson-transfer-learning.md", 67),  # `Consultez le code ... :` lead-in
        ("sources/lesson-transfer-learning.md", 69),  # a link to a notebook
        ("sources/lesson-transfer-learning.md", 79),  # `## [Quiz après le cours](...)`
        ("sources/workshop-phase2-performance.md", 18),  # lead-in to a table made into row cards
        ("sources/workshop-phase2-performance.md", 139),  # the report template to fill in
        ("sources/workshop-phase2-performance.md", 203),  # `[Passer à la Phase 3](...)`
    ]
