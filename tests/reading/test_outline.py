"""The outline read from the lines is the block pass's headings and rules, and reading with it changes nothing.

`exporter.reading.outline.scan_outline` answers for the files it is sure about and declines
(None) for the others; here every file of the fixtures, the shipped sources, the test corpus,
the benchmark corpus, the block parser's traps and thousands of random line-built files is
read both ways: where the scan answers, its headings and rules (lines, levels, tokens) must be
those of `markdown.parse_blocks`, and the notes, findings and coverage of a whole read must be
those of a read that tokenises the file.
"""

from __future__ import annotations

import random

import pytest

from bench.corpus import lesson_file, numbered_file, open_file, qa_file
from exporter.diagnostics import Diagnostics
from exporter.reading import document as document_module
from exporter.reading.document import Block, _top_level_blocks, parse_document
from exporter.reading.markdown import parse_blocks
from exporter.reading.outline import scan_outline
from exporter.reading.read import read_notes
from exporter.reading.source import SourceFile
from tests.reading.test_parse_blocks import TRAPS, _files

PREFIXES = ("", "", "", "", "", "", " ", "  ", "   ", "    ", "\t", " \t", "- ", "> ", "1. ", "  - ", ">", "* ")
CONTENTS = (
    "# Title", "## 3. Why does it work?", "### Q1. What is a gradient?", "#", "# #", "## closed ##", "#tag",
    "####### seven", "#\tTab", "---", "***", "- - -", "___", "* * *", "-- -", "--", "-", "=", "===", "=== x",
    "----  ", "---x", "```", "```python", "~~~", "````", "``` a`b", "~~~ a`b", "$$", "$$x$$", "$$ x^2 $$ tail",
    "$$ x", "x $$", "\\[", "\\]", "\\[x\\]", "\\[ y", "<div>", "<!-- c", "-->", "</div>", "a | b", "|---|",
    "--|--", ":-", "| a |", "text", "Some words here", "word ?", "**Réponse :**", "**Answer:** yes", "- item",
    "1. item", "Question : what?", "Answer : that", "[a]: /u", "", "", "", "", "",
)


def _random_file(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 30)):
        prefix = rng.choice(PREFIXES) if rng.random() < 0.3 else ""
        lines.append(prefix + rng.choice(CONTENTS))
    return "\n".join(lines) + rng.choice(("", "\n"))


def _random_files(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [_random_file(rng) for _ in range(count)]


def _expected(text: str) -> list[tuple[object, ...]]:
    return [_shape(b) for b in _top_level_blocks(parse_blocks(text)) if b.type in ("heading", "hr")]


def _shape(block: Block) -> tuple[object, ...]:
    content = block.content  # before the tokens: a heading read from its line answers without making them
    return block.type, block.start, block.end, block.level, content, [t.as_dict() for t in block.tokens]


def _scanned(text: str) -> list[tuple[object, ...]] | None:
    doc = parse_document(SourceFile("notes.md", None, text))  # type: ignore[arg-type]
    outline = doc.outline
    return [_shape(b) for b in outline] if doc._scanned else None


def _bench_files() -> list[tuple[str, str]]:
    return [("bench qa", qa_file(0, 120)), ("bench numbered", numbered_file(0, 120, 1)),
            ("bench open", open_file(0, 120, 1)), ("bench lesson", lesson_file(0, 120, 1))]


FILES = _files() + _bench_files()


@pytest.mark.parametrize(("name", "text"), FILES, ids=[name for name, _ in FILES])
def test_the_outline_is_the_block_pass_headings_and_rules(name: str, text: str) -> None:
    found = _scanned(text)
    if found is not None:
        assert found == _expected(text)


def test_the_outline_reads_the_benchmark_files_of_questions_from_their_lines() -> None:
    for name, text in _bench_files():
        if name in ("bench numbered", "bench open"):
            assert _scanned(text) is not None, name


def test_random_files_give_the_block_pass_headings_and_rules() -> None:
    texts = _random_files(4000, 3)
    scanned = 0
    for text in texts:
        found = _scanned(text)
        if found is not None:
            scanned += 1
            assert found == _expected(text), text
    assert scanned > len(texts) // 5  # the scan answered for many of them: the comparison is not empty


def test_the_scan_declines_what_depends_on_context() -> None:
    for text in ("Title\n---\n", "  # indented heading\n", "- a\n  ```\n# x\n```\n", "<div>\n# x\n</div>\n",
                 "a | b\n--|--\n# x\n", "> ```\n# x\n", "text\n===\n", "# x\r\n"):
        assert scan_outline(text, text.split("\n")) is None, text


def _read(text: str) -> tuple[str, list[str], object]:
    diagnostics = Diagnostics()
    notes, coverage = read_notes(SourceFile("notes.md", None, text), diagnostics)  # type: ignore[arg-type]
    return repr(notes), [str(d) for d in diagnostics.items], coverage


def test_reading_with_the_outline_is_reading_with_the_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [text for _, text in FILES] + _random_files(1500, 4) + list(TRAPS.values())
    fast = [_read(text) for text in texts]
    monkeypatch.setattr(document_module, "scan_outline", lambda text, lines: None)
    for text, found in zip(texts, fast):
        assert found == _read(text), text
