"""The HTML preview: the same page the PDF lays out, compared with a golden file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exporter.writers import WriteOptions
from exporter.writers.html import HtmlWriter
from tests.writers.sample_deck import small_deck, tiny_png

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "sheet_small.html"


def write_small(tmp_path: Path, **options: object) -> Path:
    deck = small_deck(tiny_png(tmp_path / "neuron.png"))
    target = tmp_path / "out" / "deep-learning.html"
    # ziamath is pure Python: the same golden HTML on every machine.
    HtmlWriter().write(deck, target, WriteOptions(project_root=tmp_path, math_engine="ziamath", **options))  # type: ignore[arg-type]
    return target


def test_matches_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    page = write_small(tmp_path).read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")


def test_images_are_copied_beside_the_page(tmp_path: Path) -> None:
    target = write_small(tmp_path)
    page = target.read_text(encoding="utf-8")
    assert '<img src="deep-learning-media/neuron.png" alt="neurone">' in page
    assert (target.parent / "deep-learning-media" / "neuron.png").read_bytes() == (tmp_path / "neuron.png").read_bytes()


def test_build_date_comes_from_the_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    page = write_small(tmp_path).read_text(encoding="utf-8")
    assert "Sources last changed on 2023-11-14" in page


def test_accented_text_in_math_is_drawn_not_dropped(tmp_path: Path) -> None:
    page = write_small(tmp_path).read_text(encoding="utf-8")
    assert '<span class="math-text">prévu</span>' in page
    assert "\\(" not in page and "\\[" not in page  # every formula became SVG


def test_quiz_has_an_answer_key_by_number(tmp_path: Path) -> None:
    page = write_small(tmp_path, layout="quiz").read_text(encoding="utf-8")
    key = page.split('id="answer-key"', 1)[1]
    assert key.index('<div class="num">1.</div>') < key.index('<div class="num">6.</div>')
    assert "Adam, avec" in key
