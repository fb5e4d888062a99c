"""Every shipped card in a real browser, as on a phone and on a desktop, by day and at night.

The decks are built from sources/, imported with the `anki` package, and each card's answer
side (which shows the front too) is rendered with the note type's own CSS and Anki's MathJax
settings in headless Chromium at 412 px (a common Android width) and 1000 px. Nothing may end
outside the screen unless it sits in a block that scrolls, and no formula may be cut by a
block that hides what overflows: the user must be able to see every digit.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.anki_helpers import import_apkg
from tests.browser import MATHJAX, card_page, chromium, measure

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="chromium is not installed: `make test` installs it"),
    pytest.mark.skipif(not MATHJAX.is_file(), reason="node_modules/mathjax-full is missing: `make test` runs npm ci"),
]


@pytest.fixture(scope="module")
def shipped_cards(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], str]:
    """Every card of the shipped decks as Anki renders its answer side, and the note type's CSS."""
    folder = tmp_path_factory.mktemp("browser")
    exe = Path(sys.executable).with_name("exporter")
    subprocess.run([str(exe), "build", "sources", "--out", str(folder / "dist"), "--format", "apkg", "--no-lock",
                    "--quiet"], cwd=ROOT, check=True, capture_output=True)
    cards: list[str] = []
    css = ""
    for package in sorted((folder / "dist").glob("*.apkg")):
        col = import_apkg(package, folder / f"{package.stem}.anki2")
        try:
            for card_id in col.find_cards(""):
                answer = col.get_card(card_id).answer()
                style = re.match(r"<style>(.*?)</style>", answer, re.DOTALL)
                assert style is not None
                css = style.group(1)
                cards.append(answer[style.end():])
        finally:
            col.close()
    assert len(cards) == 270
    return cards, css


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
@pytest.mark.parametrize("width", [412, 1000])
def test_nothing_runs_off_the_screen_and_no_formula_is_cut(
    shipped_cards: tuple[list[str], str], width: int, night: bool, tmp_path: Path
) -> None:
    cards, css = shipped_cards
    result = measure(card_page(cards, css, night), width, tmp_path)
    assert "error" not in result, result
    assert result["problems"] == []
    assert isinstance(result["formulas"], int) and result["formulas"] > 50  # MathJax really typeset them
    assert result["errors"] == 0


def test_the_check_sees_a_card_that_runs_off_a_phone(shipped_cards: tuple[list[str], str], tmp_path: Path) -> None:
    _, css = shipped_cards
    wide = '<div class="exporter"><p style="white-space: nowrap">' + "mot " * 80 + "</p></div>"
    clipped = '<div class="exporter"><div style="overflow: hidden; width: 100px">\\[x = 1 + 2 + 3 + 4 + 5 + 6 + 7\\]</div></div>'
    result = measure(card_page([wide, clipped], css, False), 412, tmp_path)
    whats = {(p["card"], p["what"]) for p in result["problems"]}  # type: ignore[union-attr]
    assert ("0", "overflow") in whats and ("1", "formula clipped") in whats
