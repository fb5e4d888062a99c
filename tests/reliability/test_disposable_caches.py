"""Caches only save time: a damaged or foreign entry is a miss and is rewritten, never an error."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from exporter.build.pipeline import collect
from exporter.output import mathsvg
from exporter.output.mathsvg import MathRenderer
from exporter.serialize import model_to_json
from tests.reliability.harness import exporter

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copy(PROJECT / "sources" / "deep-learning-questions-de-cours.md", tmp_path / "notes.md")
    (tmp_path / "sources").mkdir()
    shutil.move(tmp_path / "notes.md", tmp_path / "sources" / "notes.md")
    return tmp_path


def _collect(project: Path) -> dict[str, object]:
    return model_to_json(collect([project / "sources"], project, use_lock=False, cache_dir=project / ".cache"))


def _rewrite_values(database: Path, change: object) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE fields SET value = ?", (change,))
    connection.close()


def _values(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = [row[0] for row in connection.execute("SELECT value FROM fields")]
    connection.close()
    return rows


@pytest.mark.parametrize("name", ["read.sqlite", "render.sqlite"])
@pytest.mark.parametrize(
    "damage",
    [
        "not json {",
        json.dumps(42),
        json.dumps([[{"kind": "no-such-kind"}], []]),
        json.dumps([[], [["a.md", "one", "error", "x", "y"]]]),
        json.dumps([[], [["a.md", 1, "catastrophe", "x", "y"]]]),
        json.dumps(["<p>q</p>", "<p>a</p>", [[0, "fatal", "x", "y"]]]),
        json.dumps(["<p>q</p>", 7, []]),
        "[" * 100_000,
    ],
    ids=["not-json", "number", "unknown-kind", "line-as-text", "unknown-level", "unknown-render-level",
         "answer-not-text", "deep-nesting"],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(project: Path, name: str, damage: str) -> None:
    expected = _collect(project)
    _collect(project)
    database = project / ".cache" / name
    _rewrite_values(database, damage)
    assert _collect(project) == expected
    assert damage not in _values(database)


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 50, b"garbage" * 1000])
def test_a_cache_file_that_is_not_a_database_is_replaced(project: Path, content: bytes) -> None:
    expected = _collect(project)
    for name in ("read.sqlite", "render.sqlite"):
        (project / ".cache" / name).write_bytes(content)
    assert _collect(project) == expected
    assert _values(project / ".cache" / "read.sqlite")


def test_a_truncated_cached_svg_is_drawn_again(tmp_path: Path) -> None:
    renderer = MathRenderer(tmp_path, "ziamath")
    key = (r"\frac{a}{b} + x^2", False)
    whole = renderer.render([key])[key].svg
    assert whole is not None
    (cached,) = tmp_path.glob("*.svg")
    for damage in (whole[: len(whole) // 2], "", "<svg></html>", "\xff not svg"):
        cached.write_text(damage, encoding="utf-8")
        mathsvg._DRAWN.clear()  # a new build process: only the disk cache is left
        again = MathRenderer(tmp_path, "ziamath").render([key])[key]
        assert again.svg == whole and again.error is None
        assert cached.read_text(encoding="utf-8") == whole


@pytest.mark.slow
def test_a_rebuild_from_the_math_cache_draws_the_formulas_of_every_deck(tmp_path: Path) -> None:
    """Formulas read back from the cache after WeasyPrint is loaded are still drawn, in every deck.

    WeasyPrint's import re-registers ElementTree's "" prefix; the cached SVG was then written
    `<ns0:svg>`, which WeasyPrint does not draw: the decks a worker laid out after its first
    lost their formulas on every rebuild (their searchable text stayed).
    """
    import pypdf

    sources = tmp_path / "sources"
    sources.mkdir()
    for i in range(1, 6):
        (sources / f"d{i}.md").write_text(
            f"# Deck {i}\n\n## Q1. What is it?\n\n**Réponse :** $\\frac{{a_{i}}}{{b}} + \\sqrt{{x^2}}$ drawn.\n",
            encoding="utf-8")
    for _ in range(2):  # the second build finds every formula in the math cache
        run = exporter(tmp_path, "build", "--no-lock", "--format", "pdf", "--force", budget=180)
        assert run.returncode == 0, run.output
    for i in range(1, 6):
        reader = pypdf.PdfReader(tmp_path / "dist" / f"deck-{i}.pdf")
        drawing = b"".join(page.get_contents().get_data() for page in reader.pages)
        assert drawing.count(b" c\n") > 20, f"deck {i}: the formula's curves are not drawn"
