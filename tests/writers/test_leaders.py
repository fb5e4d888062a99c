"""Contents dot leaders drawn as runs: the same dots at the same places, the same text, far fewer boxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.output import leaders

TOC = """<!DOCTYPE html><html><head><style>
@page { size: A4; margin: 18mm 15mm; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
ul { list-style: none; padding: 0; }
a { color: inherit; text-decoration: none; }
a::after { content: leader(".") " " target-counter(attr(href), page); }
</style></head><body><ul>
<li><a href="#t1">Général</a></li>
<li><a href="#t2">Séries temporelles et RNN</a></li>
<li><a href="#t3">A title long enough to leave only a few dots before its page number, here</a></li>
</ul><h2 id="t1" style="break-before: page">Général</h2><h2 id="t2">Séries</h2><h2 id="t3">A title</h2>
</body></html>"""


def dots_of(pdf: Path) -> list[tuple[float, float]]:
    """(left, bottom) of every dot on the first page, sorted: where each one is drawn."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(pdf))[0]
    text = page.get_textpage()
    boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1) == "."]
    return sorted(((round(box[0], 2), round(box[1], 2)) for box in boxes), key=lambda xy: (-xy[1], xy[0]))


def render(folder: Path, name: str) -> tuple[Path, int]:
    """The contents laid out as a PDF, and how many text boxes WeasyPrint drew."""
    from weasyprint import HTML
    from weasyprint.draw import text as draw_text_module

    calls = 0
    original = draw_text_module.draw_text

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        import weasyprint.draw as draw_module

        patch.setattr(draw_module, "draw_text", counting)
        target = folder / f"{name}.pdf"
        HTML(string=TOC).write_pdf(target)
    return target, calls


def test_runs_of_dots_draw_the_same_dots_and_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf
    from weasyprint.layout import inline

    if not leaders.install():
        pytest.skip("WeasyPrint version not checked: its own leaders are used")
    hooked = inline.handle_leader
    runs, boxes_with_runs = render(tmp_path, "runs")
    monkeypatch.setattr(inline, "handle_leader", hooked.__wrapped__)
    plain, boxes_plain = render(tmp_path, "plain")

    drawn, expected = dots_of(runs), dots_of(plain)
    assert len(drawn) == len(expected)
    for (x, y), (x0, y0) in zip(drawn, expected):  # each dot where it was, to 0.03 pt (a run of 16 drifts 0.02)
        assert abs(x - x0) <= 0.03 and y == y0
    assert len(dots_of(runs)) > 150
    text = [page.extract_text() for page in pypdf.PdfReader(runs).pages]
    assert text == [page.extract_text() for page in pypdf.PdfReader(plain).pages]
    assert "Général" in text[0] and text[0].count(".") == len(dots_of(plain))
    assert boxes_with_runs * 5 < boxes_plain  # the point: a few boxes a line, not one per dot


def test_an_unchecked_weasyprint_keeps_its_own_leaders(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint
    from weasyprint.layout import inline

    before = inline.handle_leader
    monkeypatch.setattr(weasyprint, "__version__", "999.0")
    monkeypatch.setattr(inline, "handle_leader", getattr(before, "__wrapped__", before))
    unhooked = inline.handle_leader
    assert leaders.install() is False
    assert inline.handle_leader is unhooked
