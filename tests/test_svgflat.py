"""A formula's glyphs folded into one path: the same drawing, or the formula left as MathJax drew it."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.output.svgclean import clean_svg
from exporter.output.svgflat import flatten_svg

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -750 3200 1000" class="math-svg" style="width: 40ex; height: 12.5ex">'
OUTER = '<g stroke="currentColor" fill="currentColor" stroke-width="0" transform="scale(1,-1)">'
# x_1 over 2 as MathJax draws it: glyphs in translated and scaled groups, the fraction bar a rect.
X = ("M52 289Q59 331 106 386T222 442Q257 442 286 424T329 379Q371 442 430 442Q467 442 494 420T522 361Q522 332 508 "
     "314T481 292T458 288Q439 288 427 299T415 328Q415 374 465 391Q454 404 425 404Q412 404 406 402Q368 386 350 336Q290 "
     "115 290 78Q290 50 306 38T341 26Q378 26 414 59T463 140Q466 150 469 151T485 153H489Q504 153 504 145Q504 144 502 "
     "134Q486 77 440 33T333 -11Q263 -11 227 52Q186 -10 133 -10H127Q78 -10 57 16T35 71Q35 103 54 123T99 143Q142 143 142 "
     "101Q142 81 130 66T107 46T94 41L91 40Q91 39 97 36T113 29T132 26Q168 26 194 71Q203 87 217 139T245 247T261 313Q266 "
     "340 266 352Q266 380 251 392T217 404Q177 404 142 372T93 290Q91 281 88 280T72 278H58Q52 284 52 289Z")
ONE = ("M213 578L200 573Q186 568 160 563T102 556H83V602H102Q149 604 189 617T245 641T273 663Q275 666 285 666Q294 666 "
       "302 660V361L303 61Q310 54 315 52T339 48T401 46H427V0H416Q395 3 257 3Q121 3 100 0H88V46H114Q136 46 152 46T177 "
       "47T193 50T201 52T207 57T213 61V578Z")
FORMULA = (HEAD + OUTER + f'<g><g><g><path d="{X}"></path></g><g transform="translate(605,-150) scale(0.707)">'
           f'<path d="{ONE}"></path></g></g><g transform="translate(1286.3,0)"><rect width="1500.5" height="60" '
           f'x="120" y="220"></rect></g><path d="{ONE}" transform="translate(1900 300)"></path></g></g></svg>')


def test_glyphs_become_one_path_at_their_places() -> None:
    flat = flatten_svg(FORMULA)
    assert flat.count("<path") == 1 and flat.count("<rect") == 1 and "<g" in flat
    assert flat.startswith(HEAD + OUTER)  # size, baseline and colour as MathJax set them
    assert clean_svg(flat) == flat  # nothing the formula sanitiser would remove
    d = flat.split(' d="')[1].split('"')[0]
    assert d.startswith("M52 289Q59 331")  # the first glyph is not moved
    assert "M755.6 258.6L746.4 255.1" in d  # 605 + 0.707 * 213, -150 + 0.707 * 578: the subscript's first points
    assert "M2113 878L2100 873" in d  # the last glyph, moved by its own translate
    assert '<rect width="1500.5" height="60" x="1406.3" y="220"></rect>' in flat
    assert flatten_svg(flat) == flat


def rasterized(svg: str, folder: Path, name: str) -> list[int]:
    """The formula printed by WeasyPrint at 20 pt and rasterized at 150 dpi: grey levels."""
    import pypdfium2 as pdfium
    from weasyprint import HTML

    target = folder / f"{name}.pdf"
    HTML(string=f'<html><body style="font-size: 20pt">{svg}</body></html>').write_pdf(target)
    image = pdfium.PdfDocument(str(target))[0].render(scale=150 / 72).to_pil().convert("L")
    return list(image.tobytes())


def test_the_flat_formula_prints_the_same(tmp_path: Path) -> None:
    before = rasterized(FORMULA, tmp_path, "glyphs")
    after = rasterized(flatten_svg(FORMULA), tmp_path, "flat")
    inked = sum(v < 128 for v in before)
    assert inked > 2000  # the formula is drawn, large
    assert sum(v < 128 for v in after) == pytest.approx(inked, rel=0.002)
    assert sum(abs(a - b) > 64 for a, b in zip(before, after)) < inked * 0.002  # edge pixels at most


@pytest.mark.parametrize("change", [
    ('<g transform="translate(1286.3,0)">', '<g transform="translate(1286.3,0)" fill="red">'),  # \color
    ('translate(605,-150) scale(0.707)', 'translate(605,-150) scale(-0.707,0.707)'),  # a mirrored glyph
    ('translate(605,-150) scale(0.707)', 'rotate(30)'),
    (f'<path d="{ONE}" transform', '<path d="m1 1l2 2z" transform'),  # relative commands
    ('<rect width', '<text x="0" y="0">?</text><rect width'),
])
def test_what_it_cannot_fold_surely_is_left_as_drawn(change: tuple[str, str]) -> None:
    svg = FORMULA.replace(*change)
    assert svg != FORMULA
    assert flatten_svg(svg) == svg
