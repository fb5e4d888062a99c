"""Property: any file mixing the note formats (and broken bytes) reads without an exception,
and every finding about it has its path and a line inside it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.build.pipeline import collect

FRAGMENTS = [
    "# Deck title", "## Q1. What is a tensor?", "### Q2.", "## 1. Topic", "**Réponse :** an answer",
    "**Réponse attendue :**", "Question : Deck - Sub - what?", "Answer : yes", "Réponse : oui", "- item",
    "  - nested", "1. first", "> quote", "```python", "```", "$x^2$", "$$", "\\[", "\\]", "\\(a\\)", "$5 et 6 $",
    "<!-- comment", "-->", "<details><summary>Q?</summary>", "</details>", "<div>", "</div>", "![img](a.png)",
    "[link](https://example.com)", "{{c1::cloze}}", "Q: term", "A: definition", "| a | b |", "|---|---|", "",
    "   ", "\t", "#", "**", "__init__", ":contentReference[oaicite:1]{index=1}", "Ã©tÃ©", "\u200b", "---",
]
LINES = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40))
TEXT = st.lists(LINES, max_size=40).map("\n".join)
PREFIXES = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00"])
ENCODINGS = st.sampled_from(["utf-8", "utf-16-le", "cp1252", "latin-1"])


@st.composite
def source_bytes(draw: st.DrawFn) -> bytes:
    text = draw(TEXT)
    data = text.encode(draw(ENCODINGS), errors="replace")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=12))
    return draw(PREFIXES) + data


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(source_bytes(), min_size=1, max_size=3))
def test_reading_never_raises_and_every_finding_has_a_place(files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "sources").mkdir()
        names = []
        for index, data in enumerate(files):
            (root / "sources" / f"f{index}.md").write_bytes(data)
            names.append(f"sources/f{index}.md")
        model = collect([root / "sources"], root, use_lock=False)
    line_counts = {name: data.count(b"\n") + data.count(b"\r") + 2 for name, data in zip(names, files)}
    for finding in model.diagnostics.items:
        assert finding.path in line_counts, finding
        assert isinstance(finding.line, int) and 0 <= finding.line <= line_counts[finding.path] * 2, finding
        assert finding.code != "internal", finding
    for rendered in model.notes:
        assert rendered.note.source.path in line_counts and rendered.note.source.line >= 1
