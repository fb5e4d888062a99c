"""The printable sheet as HTML: the exact page the PDF writer lays out, for a browser preview."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ClassVar

from exporter.diagnostics import Diagnostic, Level
from exporter.rendering.highlight import pygments_css
from exporter.output.mathsvg import MathRenderer, find_math
from exporter.model import Deck, MediaFile
from exporter.language import label, labels
from exporter.output.cardsizes import card_grid
from exporter.output.sheets import MathProblem, SheetDeck, SheetItem, item_runs, make_sheet, runs
from exporter.output.widths import fit
from exporter.output.writers import WriteOptions, atomic_output, register

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "templates"
LAYOUTS = ("sheet", "quiz", "cards")

def math_renderer(target: Path, options: WriteOptions) -> MathRenderer:
    """The engine for this build (MathJax if Node has it, else ziamath), caching beside the outputs."""
    return MathRenderer(target.parent / ".cache" / "math", options.math_engine, options.project_root)


def draw_ahead(decks: list[Deck], out_dir: Path, options: WriteOptions) -> None:
    """Draw every formula of `decks` in one engine run, before their sheets are laid out.

    Each sheet then finds its formulas drawn (in memory, inherited by forked workers, and
    in the disk cache): one Node process per build instead of one per deck. WeasyPrint is
    imported here too, in the parent (without the linker runs of its library lookup:
    `libraries.import_weasyprint`): forked workers inherit it instead of each paying its
    quarter of a second of import.
    """
    from exporter.output.libraries import import_weasyprint

    import_weasyprint()  # inherited by the forked sheet writers

    math_renderer(out_dir / "sheet", options).render(
        key for deck in decks for rn in deck.notes for fragment in (rn.question_html, rn.answer_html)
        for key in find_math(fragment)
    )
    warm_up(options)


def warm_up(options: WriteOptions) -> None:
    """Compile the layout's templates and parse its stylesheet in the parent, for the forked workers.

    Each worker would otherwise import Jinja, compile the templates and parse the same
    stylesheet itself (some 50 ms each); done here once, the workers inherit them.
    """
    from exporter.output.writers.pdf import split_style, stylesheet

    empty = SheetDeck(name="", parts=(), sources=(), build_date=None,
                      counts={"notes": 0, "answered": 0, "open": 0, "topics": 0, "sources": 0})
    _, style = split_style(render_sheet_html(empty, options))
    if style is not None:
        stylesheet(style)


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
    sheet = make_sheet(deck, math_renderer(target, options), media_url, problems, options.layout)
    return sheet, math_findings(problems)


@functools.cache
def template_environment() -> Environment:
    """The sheets' Jinja environment, one per process: it compiles each template once, not once a deck."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=False, keep_trailing_newline=True,
    )


def sheet_template(sheet: SheetDeck, options: WriteOptions) -> Callable[..., str]:
    """`fill(template_name, **values)`: a template filled with the sheet and what every layout shares."""
    from markupsafe import Markup

    layout = options.layout if options.layout in LAYOUTS else "sheet"
    env = template_environment()
    columns = options.columns if layout != "cards" else 1
    marked = _prepare(sheet, Markup, options.paper if layout != "cards" else None, columns)
    shared = dict(
        sheet=marked,
        lang=sheet.language,
        t=labels(sheet.language),
        layout=layout,
        layout_title=label(sheet.language, layout),
        columns=columns,
        paper=options.paper,
        page_size="A4" if options.paper != "letter" else "letter",
        pygments_css=Markup(pygments_css()),
        measure=False,
        toc_pages={},
        runs=runs(marked),
        key_runs=item_runs(marked.items),
    )

    def fill(name: str, **values: object) -> str:
        if "faces" in values:
            values["faces"] = [i for i in marked.items if i.number in {f.number for f in values["faces"]}]  # type: ignore[attr-defined]
        if "long_items" in values:
            values["long_items"] = [i for i in marked.items
                                    if i.number in {f.number for f in values["long_items"]}]  # type: ignore[attr-defined]
        return env.get_template(name).render(**{**shared, **values})

    return fill


def render_sheet_html(sheet: SheetDeck, options: WriteOptions) -> str:
    """The layout's page: what the PDF writer lays out, and the HTML preview.

    Cut-out cards preview as their faces one after the other, each the size of a card.
    """
    fill = sheet_template(sheet, options)
    if options.layout == "cards":
        grid = card_grid(options.card_size, options.paper)
        return fill("faces.html.j2", faces=sheet.items, long_pages={}, card_width=grid.card[0],
                    card_height=grid.card[1], writing_lines=5)
    return fill(f"{options.layout if options.layout in LAYOUTS else 'sheet'}.html.j2")


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
