"""The benchmark: exporter against the bare-genanki floor, phases, wall time and peak memory.

Run from the project root: `python bench/run.py [--sizes 1000 10000 100000] [--runs 3]`.
For each N it writes a corpus (bench/corpus.py), then times as separate processes
(`/usr/bin/time`, wall seconds and peak RSS): the floor (bench/floor.py), a cold `.apkg`
build, a one-note-edit rebuild (render cache warm) and the phases in process
(bench/phases.py). Then a no-op rebuild of sources/, `--help`, and PDF pages per second
per layout (bench/pdf_bench.py). Medians of `--runs` runs (one run above 10k notes).
Prints the table and writes it to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one process."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], cwd=cwd, env=ENV, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def edit_one_note(project: Path, run: int) -> None:
    path = sorted((project / "sources").glob("qa-*.md"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("for note 0.", f"for note 0 (edit {run}).", 1)
                    .replace(f"for note 0 (edit {run - 1}).", f"for note 0 (edit {run}).", 1), encoding="utf-8")


def bench_size(count: int, runs: int, work: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import write_corpus

    project = work / f"n{count}"
    write_corpus(project / "sources", count)
    runs = runs if count <= 10_000 else 1
    build = [PY, "-m", "exporter", "build", "--format", "apkg", "-q"]
    floor = median([timed([PY, str(ROOT / "bench/floor.py"), str(count), str(work / "floor.apkg")], work)
                    for _ in range(runs)])
    cold = []
    for _ in range(runs):
        shutil.rmtree(project / "dist", ignore_errors=True)
        cold.append(timed(build, project))
    edits = []
    for run in range(1, runs + 1):
        edit_one_note(project, run)
        edits.append(timed(build, project))
    phases = {}
    if count <= 10_000:
        out = subprocess.run([PY, str(ROOT / "bench/phases.py"), str(project)], env=ENV, capture_output=True,
                             text=True, check=True).stdout
        phases = json.loads(out)
    shutil.rmtree(project)
    return {"n": count, "floor": floor, "cold": median(cold), "edit": median(edits), "phases": phases}


def bench_noop(runs: int, work: Path) -> tuple[float, float]:
    project = work / "seeds"
    shutil.copytree(ROOT / "sources", project / "sources")
    timed([PY, "-m", "exporter", "build", "-q"], project)
    result = median([timed([PY, "-m", "exporter", "build", "-q"], project) for _ in range(runs)])
    shutil.rmtree(project)
    return result


def bench_help(runs: int, work: Path) -> dict[str, float]:
    module = median([timed([PY, "-m", "exporter", "--help"], work) for _ in range(runs)])
    script = median([timed([PY, "-c", "import sys; from exporter.cli import main; sys.argv[0] = 'exporter'; main()",
                            "--help"], work) for _ in range(runs)])
    return {"python -m exporter --help": module[0], "exporter --help (console script entry)": script[0]}


def bench_pdf() -> list[str]:
    out = subprocess.run([PY, str(ROOT / "bench/pdf_bench.py"), "--count", "500"], env=ENV, capture_output=True,
                         text=True, check=True).stdout
    return out.strip().splitlines()


def table(results: list[dict[str, object]], noop: tuple[float, float], helps: dict[str, float],
          pdf: list[str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {os.cpu_count()} cores (shared), {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()}. Made by `python bench/run.py`; wall seconds and peak RSS of whole processes, "
        "median of 3 runs (1 run at 100k). Corpus: bench/corpus.py (qa-blocks, numbered, open questions, "
        "lesson sections and tables; inline and display math, code, lists). Builds are `--format apkg` with the lock (written beside the corpus).",
        "",
        "| N | floor (bare genanki) | cold build | ratio | one-note edit | ratio | peak MB floor / cold / edit |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        floor, cold, edit = r["floor"], r["cold"], r["edit"]  # type: ignore[misc]
        lines.append(f"| {r['n']:,} | {floor[0]:.2f} s | {cold[0]:.2f} s | {cold[0] / floor[0]:.1f}x | "
                     f"{edit[0]:.2f} s | {edit[0] / floor[0]:.1f}x | {floor[1]:.0f} / {cold[1]:.0f} / {edit[1]:.0f} |")
    lines += ["", "Phases in process (seconds; render cold = no cache, cached = every note a cache hit):", "",
              "| N | read | check | identity | render cold | render cached | manifest hash | apkg write |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        p = r["phases"]
        if p:
            lines.append(f"| {r['n']:,} | {p['read']} | {p['check']} | {p['identity']} | {p['render_cold']} | "
                         f"{p['render_cached']} | {p['manifest_hash']} | {p['apkg_write']} |")
    lines += ["", f"No-op rebuild of sources/ (apkg + pdf): {noop[0]:.2f} s, {noop[1]:.0f} MB.", ""]
    lines += [f"- `{name}`: {seconds:.2f} s" for name, seconds in helps.items()]
    lines += ["", "PDF, synthetic 500-question deck, per layout (bench/pdf_bench.py, cold math cache):", "", "```",
              *pdf, "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exporter-bench-") as folder:
        work = Path(folder)
        results = []
        for count in args.sizes:
            results.append(bench_size(count, args.runs, work))
            print(json.dumps(results[-1]), flush=True)
        noop = bench_noop(args.runs, work)
        helps = bench_help(args.runs, work)
    pdf = [] if args.no_pdf else bench_pdf()
    text = table(results, noop, helps, pdf)
    print(text)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
