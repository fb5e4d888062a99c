"""Leaving out block rules a file cannot trigger must never change its tokens.

`parse_blocks` parses a file without the rules whose trigger text it lacks (and
without indented code when every indented line is inside a fence): on every real
and synthetic file here, and on traps made for each shortcut, the tokens equal
those of the full parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.token import Token

from bench.corpus import lesson_file, numbered_file, open_file, qa_file
from exporter.reading.document import parse_document
from exporter.reading.markdown import markdown
from exporter.reading.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("sources/*.md"), *ROOT.glob("tests/corpus/*.md"), *ROOT.glob("tests/reading/fixtures/*/*.md")])
TRAPS = {
    "indented code after a paragraph": "Text\n\n    code line\n\n```\n    in fence\n```\n",
    "indented fence opener is code": "Intro\n\n    ```\n    not a fence\n    ```\n",
    "list item opening with code": "-     code in a list item\n\n```\n    fenced\n```\n",
    "code in a blockquote": ">     quoted code\n\n```\n    fenced\n```\n",
    "fence in an html block": "<div>\n```\n</div>\n\n    code after the div\n```\n",
    "setext under text": "Title\n---\n\ntext\n\n---\n",
    "rule after a blank line": "text\n\n---\n\nmore\n",
    "table and reference": "| a | b |\n|---|---|\n| 1 | 2 |\n\n[x]: https://example.org\n",
    "math block": "$$\nx^2\n$$\n\n\\[\ny\n\\]\n",
}


def _shape(tokens: list[Token]) -> list[tuple[object, ...]]:
    return [(t.type, t.tag, t.map, t.level, t.content, t.markup, t.info, t.nesting) for t in tokens]


def _full(text: str) -> list[Token]:
    md = markdown()
    tokens: list[Token] = []
    md.block.parse(text, md, {}, tokens)
    return tokens


def _texts() -> list[tuple[str, str]]:
    texts = [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in FILES]
    texts += [("bench qa", qa_file(0, 40)), ("bench numbered", numbered_file(0, 40, 1)),
              ("bench open", open_file(0, 40, 1)), ("bench lesson", lesson_file(0, 40, 1))]
    return texts + list(TRAPS.items())


@pytest.mark.parametrize(("name", "text"), _texts(), ids=[name for name, _ in _texts()])
def test_the_shortcuts_give_the_full_parsers_tokens(name: str, text: str) -> None:
    text = text.replace("\r\n", "\n")
    doc = parse_document(SourceFile(name, Path(name), text))
    blocks = [token for block in doc.blocks for token in block.tokens]
    assert _shape(blocks) == _shape(_full(text))
