"""The one-pass TeX scanner gives pylatexenc's verdict, word for word, on real and damaged formulas."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from exporter.build.pipeline import collect
from exporter.output.mathsvg import find_math
from exporter.reading.texcheck import structure_problem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import write_corpus  # noqa: E402

_PIECES = ["{", "}", "[", "]", "\\", "$", "$$", "%", "\n", "\n\n", " ", "*", "&", "--", "x", "^", "_",
           "\\begin{a}", "\\end{a}", "\\begin{array}", "\\end{array}", "\\end{matrix}", "\\frac", "\\sqrt",
           "\\\\", "\\(", "\\)", "\\[", "\\]", "\\verb", "\\text", "\\left", "\\right"]

_EDGE_CASES = [
    r"\frac{1}", r"\frac{a}{b", r"\sqrt[3", r"\sqrt[3]{x}", r"a % b }", r"\(x", r"x\)", r"{\[x}\]",
    r"\begin{a}", r"\end{a}", r"\begin{array}{cc} a & b \end{array}", r"\begin{array}{cc a & b \end{array}",
    r"\begin", r"\\", "\\", r"\verb|{|", r"\verb ", r"\text{ { }", r"\frac--", "\\hat\n\nx", "\\hat%c\n\n",
    "$ a $$ b $", r"\text{$$x$$}", r"\begin{verbatim}{", r"\\ [2pt]", r"\frac\end{x}", r"\sqrt[{]}]{b}",
]


def pylatexenc_problem(tex: str) -> str | None:
    """The check the scanner replaced: pylatexenc's walker, strict, first line of its error."""
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError, get_default_latex_context_db

    try:
        LatexWalker(tex, latex_context=get_default_latex_context_db(), tolerant_parsing=False).get_latex_nodes()
    except LatexWalkerError as error:
        return str(error).splitlines()[0].split(" @(")[0]
    except (IndexError, ValueError, RecursionError) as error:
        return f"unparsable TeX ({type(error).__name__})"
    return None


def _formulas(root: Path) -> list[str]:
    model = collect([root / "sources"], root, use_lock=False)
    found = {tex for rn in model.notes for html in (rn.question_html, rn.answer_html) for tex, _ in find_math(html)}
    return sorted(found)


@pytest.fixture(scope="module")
def real_formulas(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    shipped = _formulas(ROOT)
    bench = tmp_path_factory.mktemp("bench")
    write_corpus(bench / "sources", 200)
    return shipped + _formulas(bench)


def test_shipped_and_benchmark_formulas_agree(real_formulas: list[str]) -> None:
    assert len(real_formulas) > 300
    assert [structure_problem(t) for t in real_formulas] == [pylatexenc_problem(t) for t in real_formulas]


@pytest.mark.parametrize("tex", _EDGE_CASES)
def test_edge_cases_agree(tex: str) -> None:
    assert structure_problem(tex) == pylatexenc_problem(tex)


def test_damaged_formulas_agree(real_formulas: list[str]) -> None:
    """Random insertions and deletions of structural pieces: thousands of broken formulas."""
    rng = random.Random(12)
    cases = []
    for _ in range(4000):
        chars = list(rng.choice(real_formulas + _EDGE_CASES))
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(chars))
            if rng.random() < 0.4 and chars:
                del chars[min(at, len(chars) - 1)]
            else:
                chars.insert(at, rng.choice(_PIECES))
        cases.append("".join(chars))
    broken = [t for t in cases if pylatexenc_problem(t)]
    assert len(broken) > 1000  # the damage does reach the checks
    assert [(t, structure_problem(t)) for t in cases] == [(t, pylatexenc_problem(t)) for t in cases]
