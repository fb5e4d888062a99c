"""The printable sheet as HTML: the exact page the PDF writer lays out, for a browser preview."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ClassVar

from exporter.diagnostics import Diagnostic, Level
from exporter.rendering.highlight import pygments_css
from exporter.output.mathsvg import MathRenderer
from exporter.model import Deck, MediaFile
from exporter.language import label, labels
from exporter.output.sheets import (
    CARD_COLUMNS, CARD_ROWS, MathProblem, SheetDeck, SheetItem, card_sheets, make_sheet,
)
from exporter.output.widths import fit
from exporter.output.writers import WriteOptions, atomic_output, register

TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "templates"
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
CARD_WIDTH_MM = 90.0
CARD_HEIGHT_MM = 62.0
BASE_CARD_FONT_PT = 10.0
LAYOUTS = ("sheet", "quiz", "cards")

@dataclass
class CardFit:
    """Per-card font sizes in points, chosen so that text fits its card instead of being cut off."""

    fronts: dict[int, float] = field(default_factory=dict)
    backs: dict[int, float] = field(default_factory=dict)
    overfull: set[str] = field(default_factory=set)
    """`fit-…` ids of cards whose text does not fit even at the smallest readable size."""


def math_renderer(target: Path, options: WriteOptions) -> MathRenderer:
    """The engine for this build (MathJax if Node has it, else ziamath), caching beside the outputs."""
    return MathRenderer(target.parent / ".cache" / "math", options.math_engine, options.project_root)


def describe_math_engine(options: WriteOptions) -> str:
    """One line telling the user which engine draws the formulas, printed once per build."""
    engine = MathRenderer(None, options.math_engine, options.project_root).engine
    how = "MathJax 3 via Node" if engine == "mathjax" else "ziamath (no node/mathjax-full found)"
    return f"math: formulas drawn with {how}"


def math_findings(problems: list[MathProblem]) -> list[Diagnostic]:
    """One warning per formula that fell back to plain text, at the note's path:line."""
    findings = []
    for problem in problems:
        path, _, line = problem.source.rpartition(":")
        message = f"formula printed as plain text, the math engine failed: {problem.error} ({problem.tex!r})"
        findings.append(Diagnostic(path, int(line) if line.isdigit() else 0, Level.WARNING, "math-render", message))
    return findings


def build_sheet(
    deck: Deck, target: Path, options: WriteOptions, media_url: Callable[[MediaFile], str]
) -> tuple[SheetDeck, list[Diagnostic]]:
    """The deck's view model with math drawn, and the findings about formulas that failed."""
    problems: list[MathProblem] = []
    sheet = make_sheet(deck, math_renderer(target, options), media_url, problems)
    return sheet, math_findings(problems)


def render_sheet_html(
    sheet: SheetDeck,
    options: WriteOptions,
    fit: CardFit | None = None,
    only: set[int] | None = None,
) -> str:
    """Fill the layout's template; the PDF writer calls this too, so both outputs agree.

    `only` makes a page for measuring cards: just the cards with those numbers, no title
    page, no contents.
    """
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    layout = options.layout if options.layout in LAYOUTS else "sheet"
    paper_w, paper_h = PAPER_MM.get(options.paper, PAPER_MM["a4"])
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=False, keep_trailing_newline=True,
    )
    template = env.get_template(f"{layout}.html.j2")
    fit = fit or CardFit()
    columns = options.columns if layout != "cards" else 1
    marked = _prepare(sheet, Markup, options.paper if layout != "cards" else None, columns)
    topic_starts: dict[int, list[object]] = {}
    for part in marked.parts:
        for topic in part.topics:
            if topic.items:
                topic_starts.setdefault(topic.items[0].number, []).append(topic)
    return template.render(
        sheet=marked,
        lang=sheet.language,
        t=labels(sheet.language),
        layout=layout,
        layout_title=label(sheet.language, layout),
        columns=columns,
        paper=options.paper,
        page_size="A4" if options.paper != "letter" else "letter",
        pygments_css=Markup(pygments_css()),
        card_pages=card_sheets(
            [i for i in marked.items if only is None or i.number in only], CARD_COLUMNS, CARD_ROWS
        ) if layout == "cards" else [],
        measure=only is not None,
        card_columns=CARD_COLUMNS,
        card_rows=CARD_ROWS,
        card_width=CARD_WIDTH_MM,
        card_height=CARD_HEIGHT_MM,
        card_margin_h=round((paper_w - CARD_COLUMNS * CARD_WIDTH_MM) / 2, 2),
        card_margin_v=round((paper_h - CARD_ROWS * CARD_HEIGHT_MM) / 2, 2),
        base_font_size=BASE_CARD_FONT_PT,
        font_sizes=fit.fronts,
        back_font_sizes=fit.backs,
        overfull=fit.overfull,
        topic_starts=topic_starts,
    )


def _prepare(sheet: SheetDeck, markup: Callable[[str], str], paper: str | None, columns: int) -> SheetDeck:
    """Size code to its column (`paper` None: leave it) and mark item HTML safe for Jinja.

    Item HTML is already sanitised by the render stage; autoescaping would print its tags.
    """
    import dataclasses

    def prepared(item: SheetItem) -> SheetItem:
        question, answer, wide = item.question_html, item.answer_html, False
        if paper is not None:
            fitted_q, fitted_a = fit(question, paper, columns), fit(answer, paper, columns)
            question, answer, wide = fitted_q.html, fitted_a.html, fitted_q.wide or fitted_a.wide
        return dataclasses.replace(item, question_html=markup(question), answer_html=markup(answer),
                                   context_html=markup(item.context_html), wide=wide)

    parts = tuple(
        dataclasses.replace(
            part,
            topics=tuple(
                dataclasses.replace(topic, items=tuple(prepared(item) for item in topic.items))
                for topic in part.topics
            ),
        )
        for part in sheet.parts
    )
    return dataclasses.replace(sheet, parts=parts)


@register
class HtmlWriter:
    """A browser preview: one self-contained page plus a folder with the deck's images."""

    name: ClassVar[str] = "html"
    extension: ClassVar[str] = "html"

    def write(self, deck: Deck, target: Path, options: WriteOptions) -> list[Diagnostic]:
        media_dir = target.with_name(f"{target.stem}-media")
        used: dict[str, MediaFile] = {}

        def media_url(media: MediaFile) -> str:
            name = Path(media.name).name  # never a path that climbs out of the media folder
            used[name] = media
            return f"{media_dir.name}/{name}"

        sheet, findings = build_sheet(deck, target, options, media_url)
        page = render_sheet_html(sheet, options)
        for name, media in sorted(used.items()):
            destination = media_dir / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(destination) as tmp:
                shutil.copyfile(media.path, tmp)
        with atomic_output(target) as tmp:
            tmp.write_text(page, encoding="utf-8")
        return findings
