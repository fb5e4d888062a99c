"""List bullets laid out once per look, and empty page margins skipped: the very same PDF as WeasyPrint's own layout."""

from __future__ import annotations

import pytest

from exporter.output import marginboxes, markers

LISTS = """<!DOCTYPE html><html><head><style>
@page { size: A6; margin: 10mm; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
.red { color: #a33; } .big { font-size: 14pt; } b li { font-weight: bold; }
ol.roman { list-style-type: upper-roman; } .inside { list-style-position: inside; }
</style></head><body>
<ul>{items}</ul>
<ul class="red"><li>red bullet</li><li>another<ul><li>nested circle</li><li>two</li></ul></li></ul>
<ol>{items}</ol><ol class="roman"><li>one</li><li>two</li></ol>
<ul class="big"><li>big</li><li>bigger text that wraps over two lines of this small page, or more</li></ul>
<ul class="inside"><li>inside</li><li>inside too</li></ul>
<div style="columns: 2"><ul>{items}</ul></div>
</body></html>""".replace("{items}", "".join(f"<li>item {n} with some words</li>" for n in range(40)))

MARGINS = """<!DOCTYPE html><html><head><style>
@page { size: A6; margin: 10mm; }
@page :first { @bottom-center { content: counter(page) " / " counter(pages); } }
@page plain { margin: 5mm; }
.plain { page: plain; }
p { break-after: page; }
</style></head><body>
<p>first page, with a page number</p><p>second</p><p>third</p>
<div class="plain"><p>a named page without margins</p><p>and more</p></div>
</body></html>"""


def pdf(markup: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=markup).write_pdf()  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")


def test_cached_bullets_draw_the_same_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.layout import absolute

    if not markers.install():
        pytest.skip("WeasyPrint version not checked: its own marker layout is used")
    original = absolute.absolute_box_layout.__wrapped__
    laid_out: list[object] = []

    def counting(*args: object) -> object:
        laid_out.append(args[1])
        return original(*args)

    monkeypatch.setattr(absolute, "absolute_box_layout", markers.cached_layout(counting))
    cached = pdf(LISTS)
    cached_layouts = sum(box.is_outside_marker for box in laid_out)  # type: ignore[attr-defined]
    laid_out.clear()
    monkeypatch.setattr(absolute, "absolute_box_layout", counting)
    plain = pdf(LISTS)
    plain_layouts = sum(box.is_outside_marker for box in laid_out)  # type: ignore[attr-defined]
    assert cached == plain
    assert plain_layouts > 120
    # the point: the 80 round bullets of the first and last lists are laid out a couple of times, not once each
    # (numbers differ from item to item: each is its own look)
    assert plain_layouts - cached_layouts >= 75


def test_pages_without_margin_content_draw_the_same_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import layout

    if not marginboxes.install():
        pytest.skip("WeasyPrint version not checked: it builds every margin box")
    hooked = layout.make_margin_boxes
    shortcut = pdf(MARGINS)
    monkeypatch.setattr(layout, "make_margin_boxes", hooked.__wrapped__)
    plain = pdf(MARGINS)
    assert shortcut == plain
    import io

    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(shortcut)).pages
    assert len(pages) >= 5 and "1 / " in pages[0].extract_text() and "/" not in pages[1].extract_text()


def test_unchecked_weasyprint_keeps_its_own_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint
    from weasyprint import layout
    from weasyprint.layout import absolute

    before = absolute.absolute_box_layout, layout.make_margin_boxes
    monkeypatch.setattr(weasyprint, "__version__", "999.0")
    monkeypatch.setattr(absolute, "absolute_box_layout", before[0].__wrapped__
                        if hasattr(before[0], "__wrapped__") else before[0])
    monkeypatch.setattr(layout, "make_margin_boxes", before[1].__wrapped__
                        if hasattr(before[1], "__wrapped__") else before[1])
    assert not markers.install() and not marginboxes.install()
    assert not hasattr(absolute.absolute_box_layout, "__wrapped__")
    assert not hasattr(layout.make_margin_boxes, "__wrapped__")
