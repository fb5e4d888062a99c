"""Plain computed values in one step: every property of every element as WeasyPrint computes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exporter.output import computedstyle
from exporter.output.sheets import SheetDeck
from exporter.output.writers import WriteOptions
from exporter.output.writers.html import render_sheet_html
from exporter.output.writers.pdf import split_style, stylesheet

BODY = """
<main class="sheet"><div class="run">
<h2 class="topic-title" id="t1">Topic</h2>
<article class="item kind-qa" id="q1"><div class="q"><span class="num">1.</span> <p>Why <code>x</code>?</p></div>
<div class="a"><p>Because <strong>bold</strong> <em>and</em> <a href="#q1">a link</a>.</p>
<ul><li>one</li><li>two<ol><li>nested</li></ol></li></ul>
<table><tr><th>head</th><td>cell</td></tr></table>
<div class="highlight"><pre><span class="k">def</span> <span class="nf">f</span>():</pre></div>
<span class="math inline"><svg class="math-svg" width="2ex" height="1ex"></svg><span class="math-text">x</span></span>
</div></article>
<article class="item open kind-cloze" id="q2"><div class="q"><p><mark class="cloze">hidden</mark></p>
<p>second</p></div><div class="a"><p class="no-answer">open</p></div></article>
</div></main>
<div dir="rtl" class="logical" style="margin-inline-start: 3mm; padding-block-end: 2mm; border-inline-end: 1pt solid red">
  <p style="inset-inline-start: 1mm; position: relative">rtl text</p></div>
<div class="calc" style="width: calc(50% - 2mm); font-size: calc(1em + 2pt); --gap: 4mm; margin-top: var(--gap);
  text-indent: calc(10% + 1mm)"><p style="text-decoration: underline wavy">inherits calc</p>
  <span style="float: right; page: other; outline: 1pt dotted">floated</span>
  <div style="columns: 2; column-rule: 1pt solid; border-top: 2pt dashed; border-left-width: 3pt">cols</div></div>
"""


def _markup() -> str:
    empty = SheetDeck(name="Deck", parts=(), sources=("notes.md",), build_date="2025-11-13",
                      counts={"notes": 0, "answered": 0, "open": 0, "topics": 0, "sources": 1})
    page = render_sheet_html(empty, WriteOptions(project_root=Path(".")))
    return page.replace("</body>", BODY + "</body>")


def _all_values(markup: str) -> list[tuple[str, str | None, str, str]]:
    """Every property of every element and pseudo-element, computed in name order, as text."""
    from weasyprint import HTML
    from weasyprint.css import get_all_computed_styles
    from weasyprint.css.properties import INITIAL_VALUES

    page, style = split_style(markup)
    html = HTML(string=page)
    style_for = get_all_computed_styles(html, user_stylesheets=[stylesheet(style)] if style else [])
    values = []
    for element in html.etree_element.iter():
        for pseudo in (None, "before", "after", "marker"):
            computed: Any = style_for(element, pseudo)
            if computed is None:
                continue
            for key in sorted(INITIAL_VALUES):
                values.append((str(element.tag), pseudo, key, repr(computed[key])))
    return values


def test_every_property_of_every_element_is_what_weasyprint_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import css

    if not computedstyle.install():
        pytest.skip("WeasyPrint version not checked: its own computation is used")
    hooked = css.ComputedStyle.__missing__
    markup = _markup()
    fast = _all_values(markup)
    monkeypatch.setattr(css.ComputedStyle, "__missing__", hooked.__wrapped__)
    plain = _all_values(markup)
    assert len(fast) > 20_000
    assert fast == plain
    # the values that differ between elements are there: inherited, logical, calc, var, rtl
    found = {(key, value) for _, _, key, value in plain}
    assert ("direction", "'rtl'") in found
    assert any(key == "margin_right" and value != "Dimension(value=0, unit=None)" for key, value in found)


def test_the_fast_path_is_taken_for_most_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import css

    if not computedstyle.install():
        pytest.skip("WeasyPrint version not checked: its own computation is used")
    hooked = css.ComputedStyle.__missing__
    original = hooked.__wrapped__
    calls = {"all": 0, "slow": 0}

    def slow(self: Any, key: str) -> Any:
        calls["slow"] += 1
        return original(self, key)

    counted = computedstyle.fast_missing(slow)

    def counting(self: Any, key: str) -> Any:
        calls["all"] += 1
        return counted(self, key)

    monkeypatch.setattr(css.ComputedStyle, "__missing__", counting)
    _all_values(_markup())
    assert calls["slow"] < calls["all"] / 5
