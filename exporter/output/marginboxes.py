"""Pages whose margins print nothing skip WeasyPrint's sixteen empty margin boxes.

For every page, WeasyPrint builds all sixteen CSS margin boxes (`@top-left` ...
`@bottom-right-corner`), resolves each one's percentages and sizes, and keeps only those
whose `content` prints something. The cut-out cards lay out one page per card face that does
not fit its cell (214 card-sized pages on the shipped sources) and one per side of paper,
none with anything in its margins: building the empty boxes was some 4% of the cards' CPU.

`make_margin_boxes` asks first whether any of the page's margin styles has content; when
none does it yields nothing, as WeasyPrint would, after the one side effect WeasyPrint's
own pass leaves (`_standardize_page_based_counters` on each margin style). Any page with a
margin that prints (the sheets' running header and page numbers) goes to WeasyPrint.

The hook replaces one function of `weasyprint.layout`, so it is installed only on the versions
it was checked against (`CHECKED_VERSIONS`); any other version builds every margin box.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from exporter.output.hooks import install_hook

CHECKED_VERSIONS = ("70.",)
AT_KEYWORDS = tuple(
    [f"@{side}-{place}" for side in ("top", "bottom") for place in ("left", "center", "right")]
    + [f"@{side}-{place}" for side in ("left", "right") for place in ("top", "middle", "bottom")]
    + [f"@{corner}-corner" for corner in ("top-left", "top-right", "bottom-left", "bottom-right")]
)
"""WeasyPrint's margin boxes, in the order it makes them."""
_NOT_GENERATED = ("normal", "inhibit", "none")


def install() -> bool:
    """Hook the empty-margins shortcut into WeasyPrint's page layout; False (and no hook) on an unchecked version."""
    from weasyprint import layout
    from weasyprint.layout import page as page_layout

    def skipping(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def make_margin_boxes(context: Any, page: Any, state: Any) -> Iterator[Any]:
            styles = [context.style_for(page.page_type, keyword) for keyword in AT_KEYWORDS]
            if any(style is not None and style["content"] not in _NOT_GENERATED for style in styles):
                return original(context, page, state)
            for keyword, style in zip(AT_KEYWORDS, styles):
                page_layout._standardize_page_based_counters(
                    style if style is not None else page.style.anonymous_style, keyword)
            return iter(())

        return make_margin_boxes

    return install_hook(layout, "make_margin_boxes", skipping, "skips_empty_margins", CHECKED_VERSIONS)
