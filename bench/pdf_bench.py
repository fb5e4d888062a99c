"""Seconds per page and peak memory of the PDF writer, per layout, cold math cache.

Run from the project root: `python bench/pdf_bench.py [--count 500] [--seeds]`;
`--cards-ratio 3` compares the cards layout with the sheet on sources/ (CPU, paired);
`--cold-build 3 [--baseline DIR]` times whole cold builds of the shipped sources (apkg + pdf);
`--profile sheet` prints where WeasyPrint spends on the shipped decks (cProfile, one process).
Each layout runs in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAYOUTS = ("sheet", "quiz", "cards")


def run_one(layout: str, count: int, seeds: bool) -> dict[str, object]:
    import pypdf

    from exporter.output.writers import WriteOptions
    from exporter.output.writers.pdf import PdfWriter

    if seeds:
        from exporter.build.pipeline import collect

        decks = collect([ROOT / "sources"], ROOT).decks()
    else:
        from tests.writers.sample_deck import synthetic_deck

        decks = [synthetic_deck(count)]
    pages = 0
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        for i, deck in enumerate(decks):
            target = Path(folder) / f"deck-{i}.pdf"
            PdfWriter().write(deck, target, WriteOptions(project_root=ROOT, layout=layout))
            pages += len(pypdf.PdfReader(target).pages)
        seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    notes = sum(len(d.notes) for d in decks)
    return {"layout": layout, "decks": len(decks), "notes": notes, "pages": pages, "seconds": round(seconds, 2),
            "s_per_page": round(seconds / max(pages, 1), 3), "peak_mb": round(peak_mb)}


def cards_ratio(rounds: int) -> None:
    """CPU seconds of `--layout cards` against the sheet on the shipped sources, paired and warm.

    Both layouts write every deck of sources/ with the math cache already filled, alternating
    so that a busy machine slows both alike; the best round of each is kept.
    """
    from exporter.build.pipeline import collect
    from exporter.output.writers import WriteOptions
    from exporter.output.writers.pdf import PdfWriter

    decks = collect([ROOT / "sources"], ROOT, use_lock=False).decks()
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(rounds + 1):  # round 0 fills the math cache
            for layout in ("sheet", "cards"):
                start = time.process_time()
                for i, deck in enumerate(decks):
                    PdfWriter().write(deck, Path(folder) / f"{layout}-{i}.pdf", WriteOptions(ROOT, layout=layout))
                if round_:
                    best[layout] = min(best.get(layout, 1e9), time.process_time() - start)
    print(f"sources/, CPU s (best of {rounds}): sheet {best['sheet']:.2f}, cards {best['cards']:.2f}, "
          f"cards/sheet {best['cards'] / best['sheet']:.2f}")


PROFILE_PARTS = {
    "HTML parsing (tinyhtml5)": ("weasyprint/__init__.py", "__init__", 158),
    "style cascade (selector matching)": ("weasyprint/css/__init__.py", "__init__", 62),
    "computed values, elements (output/computedstyle)": ("output/computedstyle.py", "__missing__", None),
    "computed values, WeasyPrint's (anonymous, fallbacks)": ("weasyprint/css/__init__.py", "__missing__", None),
    "box building": ("formatting_structure/build.py", "build_formatting_structure", None),
    "layout": ("weasyprint/layout/__init__.py", "layout_document", None),
    "  text line breaking (Pango)": ("text/line_break.py", "split_first_line", None),
    "  percentages": ("layout/percent.py", "resolve_percentages", None),
    "drawing": ("weasyprint/document.py", "paint", None),
    "  text drawing": ("weasyprint/draw/text.py", "draw_text", None),
    "  SVG (formulas)": ("weasyprint/svg/__init__.py", "draw", 446),
    "PDF writing (drawing included)": ("weasyprint/pdf/__init__.py", "generate_pdf", None),
    "  font subsetting": ("weasyprint/pdf/fonts.py", "build_fonts_dictionary", None),
    "  deflate": ("~", "<method 'compress' of 'zlib.Compress' objects>", None),
    "garbage collection after a document": ("~", "<built-in method gc.collect>", None),
    "cffi type parsing (first document of a process)": ("cffi/cparser.py", "parse_type", None),
}
"""Parts of a sheet's CPU: (file, function, first line or None) whose cumulative time is reported.

The rows overlap where one part calls another (layout computes values, drawing lays out text
again): read each as where to look, not as slices of one total."""


def profile(layout: str) -> None:
    """cProfile over writing every shipped deck in one process (math drawn before), as shares of the total.

    cProfile inflates pure-Python parts against C (Pango, zlib): read the shares as where to look.
    """
    import cProfile
    import pstats

    from exporter.build.pipeline import collect
    from exporter.output.writers import WriteOptions
    from exporter.output.writers.html import draw_ahead
    from exporter.output.writers.pdf import PdfWriter

    decks = collect([ROOT / "sources"], ROOT, use_lock=False).decks()
    options = WriteOptions(ROOT, layout=layout)
    with tempfile.TemporaryDirectory() as folder:
        draw_ahead(decks, Path(folder), options)
        profiler = cProfile.Profile(time.process_time)  # CPU, not the wall clock of a shared machine
        profiler.enable()
        for i, deck in enumerate(decks):
            PdfWriter().write(deck, Path(folder) / f"{i}.pdf", options)
        profiler.disable()
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values())
    print(f"{layout}, the {len(decks)} shipped decks: {total:.2f} s under cProfile")
    for name, (where, function, line) in PROFILE_PARTS.items():
        seconds = sum(entry[3] for (path, number, func), entry in stats.items()
                      if where in path and func == function and (line is None or number == line))
        print(f"  {name:54} {seconds:6.2f} s {100 * seconds / total:5.1f}%")


def cold_build(rounds: int, baseline: Path | None, extra: list[str]) -> None:
    """CPU seconds (user + system, workers and Node included) of `exporter build` on a copy of sources/.

    Each round copies sources/ into a fresh folder (no `.cache`, no lock state of earlier
    rounds, math drawn by MathJax again) with this checkout's node_modules linked beside it.
    With `--baseline DIR` (another checkout of the project, e.g. `git worktree add DIR main`)
    its code runs in the same rounds, alternating, so a busy machine slows both alike.
    """
    import os
    import shutil
    import statistics

    exporter = Path(sys.executable).with_name("exporter")
    codes = [("this", ROOT)] + ([("baseline", baseline.resolve())] if baseline else [])
    seconds: dict[str, list[float]] = {name: [] for name, _ in codes}
    for _ in range(rounds):
        for name, code in codes:
            with tempfile.TemporaryDirectory() as folder:
                project = Path(folder)
                shutil.copytree(ROOT / "sources", project / "sources")
                if (ROOT / "node_modules").is_dir():
                    (project / "node_modules").symlink_to(ROOT / "node_modules")
                env = {**os.environ, "PYTHONPATH": str(code)}  # ahead of the editable install
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([str(exporter), "build", "sources", "--out", "dist", "--quiet", *extra],
                               cwd=project, env=env, capture_output=True, check=False)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                seconds[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    for name, values in seconds.items():
        print(f"{name}: cold build of sources/ {' '.join(extra) or '(apkg + pdf)'}, CPU s: median "
              f"{statistics.median(values):.2f}, best {min(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500, help="questions in the synthetic deck")
    parser.add_argument("--seeds", action="store_true", help="build the real sources/ instead")
    parser.add_argument("--one", choices=LAYOUTS, help=argparse.SUPPRESS)
    parser.add_argument("--cards-ratio", type=int, metavar="ROUNDS",
                        help="only compare --layout cards with the sheet on sources/ (CPU time, warm)")
    parser.add_argument("--cold-build", type=int, metavar="ROUNDS",
                        help="only time cold `exporter build` runs of the shipped sources (CPU, with children)")
    parser.add_argument("--baseline", type=Path, help="with --cold-build: another checkout to time alongside")
    parser.add_argument("--layout", default=None, help="with --cold-build: build only the PDF in this layout")
    parser.add_argument("--profile", choices=LAYOUTS, help="only profile writing the shipped decks in this layout")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    if args.cold_build:
        cold_build(args.cold_build, args.baseline, ["--format", "pdf", "--layout", args.layout] if args.layout else [])
        return
    if args.cards_ratio:
        cards_ratio(args.cards_ratio)
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.count, args.seeds)))
        return
    what = "sources/" if args.seeds else f"synthetic {args.count}-question deck"
    print(f"{what}: layout, pages, seconds, s/page, peak MB")
    for layout in LAYOUTS:
        cmd = [sys.executable, __file__, "--one", layout, "--count", str(args.count)] + (["--seeds"] if args.seeds else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{r['layout']:6} {r['pages']:5} {r['seconds']:8} {r['s_per_page']:7} {r['peak_mb']:6}")


if __name__ == "__main__":
    main()
