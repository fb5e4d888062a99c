"""Whatever Node's MathJax helper answers, every formula is drawn (by ziamath if need be)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exporter.output import mathengine, mathsvg
from exporter.output.mathsvg import MathRenderer

pytestmark = pytest.mark.skipif(mathengine.find_mathjax(None) is None, reason="needs node and mathjax-full")

FORMULAS = [(r"x^2", False), (r"\frac{1}{2}", True), (r"\alpha + \beta", False)]
GOOD_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1ex" height="1ex"><path d="M0 0"/></svg>'


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing drawn yet, as at the start of a build."""
    monkeypatch.setattr(mathsvg, "_DRAWN", {})


def _helper(tmp_path: Path, answer: str) -> Path:
    script = tmp_path / "fake_mathjax.js"
    script.write_text(f"process.stdin.resume(); process.stdin.on('end', () => process.stdout.write({answer!r}));")
    return script


@pytest.mark.parametrize(
    "answer",
    [
        '{"svg": "<svg/>"}',
        "[null, null, null]",
        '[{"svg": "<svg width=\\"1ex\\"><path"}, {"svg": 5}, {"nothing": true}]',
        "[]",
        '[{"svg": "' + GOOD_SVG.replace('"', '\\"') + '"}]',
        "not json at all",
        "",
    ],
    ids=["not-a-list", "nulls", "bad-svg", "empty", "fewer-items", "not-json", "silent"],
)
def test_unexpected_answers_fall_back_to_ziamath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], answer: str) -> None:
    monkeypatch.setattr(mathsvg, "MATHJAX_SCRIPT", _helper(tmp_path, answer))
    results = MathRenderer(None, "mathjax").render(FORMULAS)
    for key in FORMULAS:
        assert results[key].error is None, key
        assert results[key].svg is not None and mathsvg.is_svg(results[key].svg), key
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("math:")]
    assert len(warnings) == 1 and "ziamath" in warnings[0]


def test_the_time_limit_is_for_the_whole_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    mathengine.start_budget(0)
    monkeypatch.setattr(mathsvg, "MATHJAX_SCRIPT", _helper(tmp_path, "[]"))
    try:
        results = MathRenderer(None, "mathjax").render(FORMULAS)
    finally:
        mathengine.start_budget()
    assert all(results[key].svg is not None for key in FORMULAS)
    assert "time for this build is used up" in capsys.readouterr().err


def test_a_deadline_from_another_clock_is_one_budget_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deadline months away (a faked or changed clock) must not become a timeout the OS rejects."""
    import time

    monkeypatch.setenv("EXPORTER_MATHJAX_DEADLINE", repr(time.time() + 90 * 86_400))
    assert mathengine.time_left() == mathengine.MATHJAX_SECONDS
    monkeypatch.setenv("EXPORTER_MATHJAX_DEADLINE", "nan")
    assert mathengine.time_left() == mathengine.MATHJAX_SECONDS


def test_a_short_batch_without_the_optimising_compiler_draws_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Node's `--no-opt` (short batches) only saves CPU: the SVGs are the same bytes."""
    formulas = FORMULAS + [(r"\sum_{i=1}^{n} \frac{\partial J}{\partial w_i}", True), (r"\text{réel}", False)]
    assert mathsvg.node_flags(len(formulas)) == ["--no-opt"]
    assert mathsvg.node_flags(mathsvg.NO_OPT_UP_TO + 1) == []  # long batches: optimised code pays
    short = MathRenderer(None, "mathjax").render(formulas)
    monkeypatch.setattr(mathsvg, "_DRAWN", {})
    monkeypatch.setattr(mathsvg, "NO_OPT_UP_TO", 0)
    optimised = MathRenderer(None, "mathjax").render(formulas)
    assert all(result.svg and "<path" in result.svg for result in short.values())
    assert short == optimised
