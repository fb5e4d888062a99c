"""Every printed page of the shipped sources, in every layout and paper size, checked as a reader would.

No page but a deck's last (and the title, the contents and the quiz's last page of
questions before its answer key) more than 35% empty; no text under 8 pt on cards (code
on sheets may be set down to 6.5 pt rather than wrap); no character off the printable
area or printed over another; every question's text present (its first and last 40
characters: on cards a question may continue on the next card). `python -m tests.layout_check`
prints the same measures as a table.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from exporter.build.pipeline import collect
from exporter.output.names import slugify
from exporter.output.writers import WriteOptions
from tests.layout_check import LAYOUTS, PdfReport, check_pdf, ends, margins_for, squash, visible_question

ROOT = Path(__file__).resolve().parents[1]
MAX_BLANK = 0.35
COMBINATIONS = [(layout, "a4") for layout, _ in LAYOUTS] + [("sheet", "letter"), ("cards-index", "letter")]
"""Every layout on A4, and Letter where its geometry is its own: the whole matrix costs minutes of
CPU, so `python -m tests.layout_check` measures all of it (the table in the issue's note)."""

pytestmark = pytest.mark.slow


def _options(layout: str, paper: str) -> WriteOptions:
    args = dict(LAYOUTS)[layout]
    values = dict(zip(args[::2], args[1::2]))
    return WriteOptions(project_root=ROOT, layout=values["--layout"], columns=int(values.get("--columns", "1")),
                        paper=paper, card_size=values.get("--card-size", "2x4"))


def _build(job: tuple[str, str, str]) -> list[tuple[str, PdfReport]]:
    """Worker: write every shipped deck in one layout and paper, and check each PDF."""
    from exporter.output.writers.pdf import PdfWriter

    layout, paper, folder = job
    reports = []
    for deck in collect([ROOT / "sources"], ROOT, use_lock=False).decks():
        target = Path(folder) / f"{layout}-{paper}-{slugify(deck.name)}.pdf"  # one folder: one math cache
        PdfWriter().write(deck, target, _options(layout, paper))
        margins, columns = margins_for(layout)
        reports.append((deck.name, check_pdf(target, margins, columns)))
    return reports


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[tuple[str, PdfReport]]]:
    folder = tmp_path_factory.mktemp("layouts")
    jobs = [(layout, paper, str(folder)) for layout, paper in COMBINATIONS]
    # spawn, not fork: a forked WeasyPrint shares Pango's state with its parent and can crash
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        return dict(zip([(layout, paper) for layout, paper, _ in jobs], pool.map(_build, jobs)))


@pytest.fixture(scope="module")
def questions() -> dict[str, list[str]]:
    by_deck: dict[str, list[str]] = {}
    for rn in collect([ROOT / "sources"], ROOT, use_lock=False).notes:
        by_deck.setdefault(rn.note.top_deck, []).append(squash(visible_question(rn.question_html)))
    return by_deck


@pytest.mark.parametrize(("layout", "paper"), COMBINATIONS)
def test_pages_read_well(reports: dict[tuple[str, str], list[tuple[str, PdfReport]]],
                         questions: dict[str, list[str]], layout: str, paper: str) -> None:
    for deck, report in reports[(layout, paper)]:
        where = f"{deck} ({layout}, {paper})"
        assert [(p.number, p.outside[:3]) for p in report.pages if p.outside] == [], where
        assert [(p.number, p.overprinted[:3]) for p in report.pages if p.overprinted] == [], where
        assert report.min_font >= (8 if layout.startswith("cards") else 6.5), where
        if not layout.startswith("cards"):
            assert report.max_blank() <= MAX_BLANK, where
        text = squash(report.text)
        missing = [q[:60] for q in questions[deck] if q and not all(part in text for part in ends(q))]
        assert missing == [], where
