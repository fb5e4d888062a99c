"""The HTML preview: the same page the PDF lays out, compared with a golden file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exporter.output.writers import WriteOptions
from exporter.output.writers.html import HtmlWriter
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
    assert "Sources modifiées le 2023-11-14" in page


def test_accented_text_in_math_is_drawn_not_dropped(tmp_path: Path) -> None:
    page = write_small(tmp_path).read_text(encoding="utf-8")
    assert '<span class="math-text">prévu</span>' in page
    assert "\\(" not in page and "\\[" not in page  # every formula became SVG


def test_quiz_has_an_answer_key_by_number(tmp_path: Path) -> None:
    page = write_small(tmp_path, layout="quiz").read_text(encoding="utf-8")
    key = page.split('id="answer-key"', 1)[1]
    assert key.index('<div class="num">1.</div>') < key.index('<div class="num">6.</div>')
    assert "Adam, avec" in key


def test_a_broken_mathjax_falls_back_to_ziamath_not_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    from exporter.output import mathengine, mathsvg

    def node_crashes(*_args: object, **_kwargs: object) -> None:
        raise subprocess.CalledProcessError(1, ["node"], stderr="Cannot find module 'mathjax-full'")

    monkeypatch.setattr(mathengine, "find_mathjax", lambda _root: tmp_path)  # as if node and mathjax-full were there
    monkeypatch.setattr(mathsvg.subprocess, "run", node_crashes)
    renderer = mathsvg.MathRenderer(tmp_path / "cache", "auto", tmp_path)
    assert renderer.engine == "mathjax"
    results = renderer.render([("x_1 + y", False), (r"\frac{a}{b}", True)])
    assert all(r.svg is not None and r.svg.startswith("<svg") and r.error is None for r in results.values())
    assert "MathJax did not run" in capsys.readouterr().err
    assert not list((tmp_path / "cache").glob("*.svg"))  # ziamath drawings never fill MathJax's cache


def test_one_math_engine_run_draws_every_deck_of_a_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three decks' sheets, laid out in worker processes: Node starts once, not once per deck."""
    import dataclasses
    import subprocess

    from exporter.build import incremental
    from exporter.build.manifest import Manifest
    from exporter.model import Deck
    from exporter.output import mathengine, mathsvg
    from exporter.output.writers import load_writers

    if mathengine.find_mathjax(None) is None:
        pytest.skip("needs node and mathjax-full (make installs them)")
    runs = tmp_path / "node-runs"
    real_run = subprocess.run

    def counted(*args: object, **kwargs: object) -> object:
        with runs.open("a") as log:  # a file, so runs in forked workers count too
            log.write("node\n")
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(mathsvg.subprocess, "run", counted)
    monkeypatch.setattr(mathsvg, "_DRAWN", {})
    base = small_deck()
    decks = [Deck(f"Deck {i}", [dataclasses.replace(rn, answer_html=rn.answer_html + f"<p>\\({i}x^{i}\\)</p>")
                                for rn in base.notes]) for i in range(3)]
    # Spans as the renderer writes them, so each deck has math the others lack.
    decks = [Deck(d.name, [dataclasses.replace(rn, answer_html=rn.answer_html.replace(
        f"<p>\\({i}x^{i}\\)</p>", f'<span class="math inline">\\({i}x^{i}\\)</span>')) for rn in d.notes])
        for i, d in enumerate(decks)]
    options = WriteOptions(project_root=tmp_path, math_engine="mathjax")
    outcome = incremental.write_changed(decks, ("html",), load_writers(), tmp_path / "out", options, Manifest(),
                                        False, lambda _line: None)
    assert len(outcome.built) == 3
    assert runs.read_text().count("node") == 1
    for target in outcome.built:
        page = target.read_text(encoding="utf-8")
        assert "\\(" not in page and "<svg" in page  # every formula drawn
