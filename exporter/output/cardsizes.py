"""The card sizes people cut or buy, and how many of each fit a sheet of paper.

`2x4` is eight 90 x 62 mm cards on A4 (or Letter); `a6` four A6 cards (105 x 148 mm) on
A4; `index` 5 x 3 in index cards, three to a Letter page; `fold` prints each card's front
and back side by side, so a sheet folded in half down the middle gives printed cards
without a duplex printer.
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
CARD_SIZES = ("2x4", "a6", "index", "fold")


@dataclass(frozen=True)
class CardGrid:
    """Where the cards sit on one sheet of paper; all lengths in mm."""

    name: str
    paper: tuple[float, float]
    card: tuple[float, float]
    columns: int
    rows: int
    fold: bool
    """Front and back side by side in each row (columns counts the pairs' halves)."""

    @property
    def per_sheet(self) -> int:
        """Cards per sheet: a folded sheet holds one card per row."""
        return self.rows if self.fold else self.columns * self.rows

    @property
    def margin(self) -> tuple[float, float]:
        """Left and top margin that centres the grid on the paper."""
        return ((self.paper[0] - self.columns * self.card[0]) / 2, (self.paper[1] - self.rows * self.card[1]) / 2)

    def cell(self, index: int) -> tuple[float, float]:
        """Top-left corner of grid cell `index` (row by row), from the paper's top left."""
        left, top = self.margin
        return left + (index % self.columns) * self.card[0], top + (index // self.columns) * self.card[1]


def card_grid(name: str, paper: str) -> CardGrid:
    """The grid of `name` cards on `paper` (a4 or letter)."""
    paper_mm = PAPER_MM.get(paper, PAPER_MM["a4"])
    card = {"2x4": (90.0, 62.0), "a6": (105.0, 148.0), "index": (127.0, 76.2), "fold": (90.0, 62.0)}.get(
        name, (90.0, 62.0)
    )
    columns = int(paper_mm[0] // card[0])
    rows = int(paper_mm[1] // card[1])
    if name == "fold":
        columns = 2
    return CardGrid(name if name in CARD_SIZES else "2x4", paper_mm, card, max(columns, 1), max(rows, 1),
                    name == "fold")
