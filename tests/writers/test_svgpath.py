"""Formula paths read in one pass draw the very same PDF as WeasyPrint's own path reader."""

from __future__ import annotations

import pytest

from exporter.output import svgpath
from exporter.output.svgflat import flatten_svg
from tests.test_svgflat import FORMULA

PATHS = [
    "M52 289Q59 331 106 386T222 442Q257 442 286 424T329 379H489V145L502 134Z",  # MathJax's commands
    "M10 10T40 40T60 20Z",  # a smooth curve after a move: reflects the point WeasyPrint keeps
    "M0 0H10V10H0ZM20 20L30 30 40 20 50 30Z",  # implicit repeated line-tos, two sub-paths
    "M1 2 3 4 5 6Q1 2 3 4 5 6 7 8",  # repeated move-to pairs become line-tos, repeated curves
    "L5 5Z",  # no move first
    "M-1.5-.5L.5.5.25.75Z",  # numbers run together
    "",
]


def pdf(svg: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f'<html><body style="font-size: 20pt">{svg}</body></html>').write_pdf()  # type: ignore[no-any-return]


def drawings() -> list[str]:
    shapes = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 80 80" style="width: 5em; height: 5em">'
              f'<path d="{d}"></path></svg>' for d in PATHS]
    return [FORMULA, flatten_svg(FORMULA), *shapes]


def test_the_same_pdf_as_weasyprints_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import svg

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    if not svgpath.install():
        pytest.skip("WeasyPrint version not checked: its own reader is used")
    hooked = svg.TAGS["path"]
    fast = [pdf(drawing) for drawing in drawings()]
    monkeypatch.setitem(svg.TAGS, "path", hooked.__wrapped__)  # type: ignore[attr-defined]
    assert [pdf(drawing) for drawing in drawings()] == fast


def test_paths_it_does_not_read_go_to_weasyprint() -> None:
    for d in ("m1 1l2 2z", "M0 0A5 5 0 0 1 10 10", "M0 0C1 1 2 2 3 3", "M1e2 0", "M0 0L1", "Z3 4", "M1em 2"):
        assert svgpath.parse(d) is None, d
    assert svgpath.parse("M1 2 3 4Z") == (("M", (1.0, 2.0)), ("L", (3.0, 4.0)), ("Z", ()))
