"""A field written straight to HTML (`rendering/direct.py`) comes out as the parser and renderer give it.

On every field of the shipped, test and benchmark notes and on random texts made of the
shapes the direct path reads (and of the lines it must leave to the parser), with and
without cloze numbering: the same HTML, the same highlighted code in the same slots,
and the same formulas at the same lines as markdown-it's own rule loops and renderer
over the same configuration; then whole notes rendered with and without the direct path
give the same fields and findings.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from exporter.diagnostics import Diagnostics
from exporter.reading.markdown import CODE_SLOTS_KEY, MATH_TYPES, _configured, walk
from exporter.reading.read import read_notes
from exporter.reading.source import SourceFile
from exporter.rendering import render as render_module
from exporter.rendering.direct import direct_html
from exporter.rendering.highlight_cloze import NEXT_NUMBER
from exporter.rendering.render import render_notes
from tests.reading.test_parse_blocks import _field_texts, _files

ROOT = Path(__file__).resolve().parents[1]
_PLAIN = ("a", "word", " ", "  ", "$x$", "$a_1$", "`c`", "` x `", "**b**", "**b c1**", "é", ":", "-", "#", "{", "}",
          "\n", "\n  ", "  \n", " \n", "$\na$", "$\\frac{a}$", "$x^$", "$\\left($", "\xa0", ")", "'", "%")
_ODD = ("$", "1", "5 ", "\\", "``", "**", "*", "_", "=", "==x==", "<b>", "[l](u)", "!", "&amp;", "&", "$$y$$",
        "\\(z\\)", "\\[w\\]", "\t", "~", "|")


def _reference() -> Any:
    return _configured(dispatch=False)


def _through_the_parser(md: Any, text: str, cloze: bool) -> tuple[str, list[str], list[tuple[str, int]]]:
    slots: list[str] = []
    env: dict[str, Any] = {NEXT_NUMBER: 1} if cloze else {}
    tokens = md.parse(text, env)
    formulas = [(token.content, line) for token, line in walk(tokens, MATH_TYPES)]
    env[CODE_SLOTS_KEY] = slots
    return md.renderer.render(tokens, md.options, env), slots, formulas


def _direct(text: str, cloze: bool) -> tuple[str, list[str], list[tuple[str, int]]] | None:
    slots: list[str] = []
    env: dict[str, Any] = {NEXT_NUMBER: 1} if cloze else {}
    found = direct_html(text, {**env, CODE_SLOTS_KEY: slots})
    return None if found is None else (found[0], slots, found[1])


def _fields() -> list[str]:
    fields = []
    for name, text in _files():
        notes, _ = read_notes(SourceFile(name, Path(name), text.replace("\r\n", "\n")), Diagnostics())
        fields += [field for note in notes for field in (note.question, note.answer) if field]
    return fields


def _random_lines(rng: random.Random) -> str:
    pieces = [rng.choice(_PLAIN if rng.random() < 0.93 else _ODD) for _ in range(rng.randint(1, 8))]
    return "".join(piece + rng.choice((" ", " ", "")) for piece in pieces).strip() or "a"


def _random_fields(count: int, seed: int) -> list[str]:
    """Fields of paragraphs, lists, display math and code with random lines of inline markup, and half as many
    of `_field_texts`' shapes and near misses with such lines in place of their plain text."""
    rng = random.Random(seed)
    fields = []
    for _ in range(count):
        blocks = []
        for _ in range(rng.randint(1, 4)):
            shape = rng.randrange(5)
            if shape < 2:
                blocks.append(_random_lines(rng))
            elif shape == 2:
                marker = rng.choice(("- ", "* ", "1. ", "2) "))
                blocks.append("\n".join(marker + _random_lines(rng).replace("\n", " ").strip() or "a"
                                        for _ in range(rng.randint(1, 3))))
            elif shape == 3:
                opener, closer = rng.choice((("$$", "$$"), ("\\[", "\\]"), ("$$", "\\]")))
                blocks.append(f"{opener}\n{_random_lines(rng)}\n{closer}")
            else:
                opener = rng.choice(("```python", "```", "~~~ js", "```unknown", "````"))
                blocks.append(f"{opener}\n{_random_lines(rng)}\n{opener[: rng.choice((3, 3, 4))]}")
        fields.append(rng.choice(("\n", "\n\n")).join(blocks))
    return fields + [text.replace("text", _random_lines(rng)).replace("word", _random_lines(rng))
                     for text in _field_texts(count // 2, seed)]


def _share_taken_and_equal(texts: list[str]) -> float:
    """The share of `texts` (each as a plain and a cloze field) the direct path takes, each equal to the parser's."""
    reference = _reference()
    taken = 0
    for text in texts:
        for cloze in (False, True):
            direct = _direct(text, cloze)
            if direct is not None:
                taken += 1
                assert direct == _through_the_parser(reference, text, cloze), repr(text)
    return taken / (2 * len(texts))


def test_every_field_taken_directly_renders_as_through_the_parser() -> None:
    assert _share_taken_and_equal(_fields()) > 0.8


@pytest.mark.parametrize("seed", [1, 2])
def test_random_fields_taken_directly_render_as_through_the_parser(seed: int) -> None:
    assert _share_taken_and_equal(_random_fields(3000, seed)) > 0.15


def test_notes_render_the_same_with_and_without_the_direct_path(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    notes = []
    for path in sorted([*ROOT.glob("sources/*.md"), *ROOT.glob("tests/corpus/*.md")]):
        notes += read_notes(SourceFile(path.name, path, path.read_text(encoding="utf-8")), Diagnostics())[0]
    notes += [note for text in _random_fields(300, 3) for note in
              read_notes(SourceFile("random.md", Path("random.md"), f"Question: {text[:20]}?\nAnswer: {text}\n"),
                         Diagnostics())[0]]

    def rendered() -> tuple[list[tuple[str, str]], list[str]]:
        diagnostics = Diagnostics()
        out = render_notes(notes, tmp_path, diagnostics, workers=1)
        return [(r.question_html, r.answer_html) for r in out], [str(d) for d in diagnostics.sorted()]

    direct = rendered()
    monkeypatch.setattr(render_module, "direct_html", lambda text, env: None)
    assert rendered() == direct
