"""The benchmark: the exporter against the bare-genanki floor and its peers, in CPU seconds, one command.

Run from the project root:

    python bench/run.py [--sizes 10000 100000] [--runs 3] [--peers] [--baseline DIR] [--shipped]

Every figure is the CPU time (user + system) of a whole command and of all its child
processes (worker processes included), read with `getrusage`; wall seconds and the
peak memory (PSS summed over the process tree, so pages a forked worker shares with its
parent count once; sampled every 50 ms) are shown beside.
The machine may be shared, so the floor runs in the same run as what it is compared
with, paired run by run, and ratios are medians of per-run ratios.

For each size N: a corpus of N notes over many files (bench/corpus.py) and the same
size in one file. The floor (bench/floor.py) writes the very fields the exporter wrote
(taken from its `.apkg`) with bare genanki. Then: cold `.apkg` builds (no cache, no
lock), one-answer edits with the caches warm (many files, and one file), a no-op
rebuild, the size of `.cache` against the sources'. `--baseline DIR` runs the same
builds with the code of another checkout (e.g. the main branch) for a before/after in
the same run. `--peers` installs ankdown and markdown-anki-decks from PyPI, each in its
own virtual environment under bench/.venvs (git-ignored), and times them on the same
notes at the smallest size. `--shipped` times a cold build (apkg + pdf) of sources/.
The table goes to stdout and, with `--write`, to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
sys.path.insert(0, str(ROOT / "bench"))

from corpus import _body, _question, write_corpus, write_one_file  # noqa: E402

PEERS = {
    # name: (pip requirements, console script)
    "ankdown": (["ankdown==0.7.1"], "ankdown"),
    # typer 0.x as pinned by markdown-anki-decks 1.1.1 breaks with click 8.2
    "markdown-anki-decks": (["markdown-anki-decks==1.1.1", "click<8.2"], "mdankideck"),
}


NOTES_MARKER = "<!-- Written by hand below: bench/run.py --write keeps it. -->"


@dataclass(frozen=True)
class Sample:
    cpu: float
    wall: float
    peak_mb: float


def _tree_rss_kb(root: int) -> int:
    """Memory of `root` and all its descendants, in kB (PSS: shared pages split between sharers)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared with forked workers count once over the tree."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run `cmd`; its CPU seconds (with children), wall seconds and peak tree RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(cmd)}\n{stderr.decode()[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(cpu, wall, peak / 1024)


def code_env(code: Path) -> dict[str, str]:
    """Environment running the exporter from the checkout at `code` (its templates too)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see compile_bytecode
    return env


def compile_bytecode(code: Path) -> None:
    """Write the bytecode of the checkout's package first, as any install has it.

    pip writes it for the floor's and the peers' libraries when it installs them; the
    exporter's own modules, run from a checkout, get theirs on a first run, unless
    PYTHONDONTWRITEBYTECODE is set (it is on some machines): then every timed build
    compiled tens of modules from source (about 60 ms), a cost no installed tool pays.
    """
    subprocess.run([PY, "-m", "compileall", "-q", str(code / "exporter")], check=True, env=code_env(code))


def build(project: Path, code: Path, *extra: str) -> Sample:
    return measure([PY, "-m", "exporter", "build", "-q", *extra], project, code_env(code))


def cold(project: Path, code: Path, *extra: str) -> Sample:
    shutil.rmtree(project / "dist", ignore_errors=True)
    for lock in project.rglob("exporter.lock"):
        lock.unlink()
    return build(project, code, *extra)


def edit_answer(path: Path, run: int) -> None:
    """Change the answer of note 0 (its first line), a different text each run."""
    text = path.read_text(encoding="utf-8")
    start = text.index("for note 0")
    end = text.index(".", start)
    path.write_text(text[:start] + f"for note 0 (edit {run})" + text[end:], encoding="utf-8")


def floor_input(apkg: Path, target: Path) -> None:
    """The fields the exporter wrote, one JSON line per note, for the floor to write again."""
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        connection = sqlite3.connect(Path(folder) / "collection.anki2")
        rows = connection.execute("SELECT guid, flds, tags FROM notes").fetchall()
        connection.close()
    with target.open("a", encoding="utf-8") as out:
        for guid, flds, tags in rows:
            question, answer = flds.split("\x1f")[:2]
            out.write(json.dumps([guid, question, answer, tags.split()], ensure_ascii=False) + "\n")


def source_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.md"))


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_tool(project: Path, code: Path, runs: int, edit_path: Path, floor_cmd: list[str] | None) -> dict[str, object]:
    """Cold builds (paired with the floor when given), then one-answer edits, then a no-op."""
    colds, floors = [], []
    for _ in range(runs):
        if floor_cmd is not None:
            floors.append(measure(floor_cmd, project))
        colds.append(cold(project, code, "--format", "apkg"))
    cache = folder_bytes(project / "dist" / ".cache")
    edits = []
    for run in range(1, runs + 1):
        edit_answer(edit_path, run)
        edits.append(build(project, code, "--format", "apkg"))
    noop = build(project, code, "--format", "apkg")
    return {"cold": colds, "floor": floors, "edit": edits, "noop": noop, "cache": cache}


def bench_size(count: int, runs: int, work: Path, baseline: Path | None, baseline_max: int) -> dict[str, object]:
    many = work / f"n{count}-many"
    one = work / f"n{count}-one"
    write_corpus(many / "sources", count)
    one_path = write_one_file(one / "sources", count)
    runs = runs if count <= 10_000 else 1
    # The floor writes what the exporter wrote: take its fields from a first cold build.
    cold(many, ROOT, "--format", "apkg")
    notes = work / f"n{count}.jsonl"
    notes.unlink(missing_ok=True)
    for apkg in sorted((many / "dist").glob("*.apkg")):
        floor_input(apkg, notes)
    floor_cmd = [PY, str(ROOT / "bench" / "floor.py"), str(notes), str(work / "floor.apkg")]
    result: dict[str, object] = {"n": count, "sources": source_bytes(many / "sources")}
    first_qa = sorted((many / "sources").glob("qa-*.md"))[0]
    result["many"] = bench_tool(many, ROOT, runs, first_qa, floor_cmd)
    result["one"] = bench_tool(one, ROOT, runs, one_path, None)
    if baseline is not None and count <= baseline_max:
        write_corpus(many / "sources", count)
        write_one_file(one / "sources", count)
        result["base_many"] = bench_tool(many, baseline, runs, first_qa, None)
        result["base_one"] = bench_tool(one, baseline, runs, one_path, None)
    shutil.rmtree(many)
    shutil.rmtree(one)
    return result


def peer_venv(name: str) -> Path:
    """bench/.venvs/NAME with the peer installed from PyPI (made once)."""
    venv = ROOT / "bench" / ".venvs" / name
    requirements, script = PEERS[name]
    if not (venv / "bin" / script).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *requirements], check=True)
    return venv / "bin" / script


def bench_peers(count: int, work: Path) -> dict[str, Sample]:
    """The same notes in each peer's own format, cold, one run each."""
    out: dict[str, Sample] = {}
    ankdown_dir = work / "ankdown"
    ankdown_dir.mkdir()
    cards = [f"{_question(i)}\n\n%\n\n{_body(i)}\n\n---\n" for i in range(count)]
    (ankdown_dir / "cards.md").write_text("\n".join(cards), encoding="utf-8")
    ankdown = peer_venv("ankdown")
    # Its `--config {dollar: True}` (for `$` math) fails with today's PyYAML: default settings.
    out["ankdown"] = measure([str(ankdown), "-r", str(ankdown_dir), "-p", str(work / "ankdown.apkg")], work)
    out["ankdown --highlight"] = measure([str(ankdown), "-r", str(ankdown_dir), "-p", str(work / "ankdown.apkg"),
                                          "--highlight"], work)
    mad_dir = work / "mad"
    mad_dir.mkdir()
    blocks = ["# Bench\n"] + [f"## {_question(i)}\n\n{_body(i)}\n" for i in range(count)]
    (mad_dir / "bench.md").write_text("\n".join(blocks), encoding="utf-8")
    (work / "mad-out").mkdir()
    out["markdown-anki-decks"] = measure([str(peer_venv("markdown-anki-decks")), str(mad_dir), str(work / "mad-out")],
                                         work)
    return out


def bench_shipped(work: Path, code: Path) -> Sample:
    """A cold build of the shipped sources, apkg and pdf, math cache empty."""
    project = work / "shipped"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(ROOT / "sources", project / "sources")
    (project / "node_modules").symlink_to(ROOT / "node_modules") if (ROOT / "node_modules").exists() else None
    sample = cold(project, code)
    shutil.rmtree(project)
    return sample


def _cpu(samples: list[Sample]) -> float:
    return median([s.cpu for s in samples])


def _row(label: str, tool: list[Sample], floor: list[Sample], base: list[Sample] | None) -> str:
    ratio = median([t.cpu / f.cpu for t, f in zip(tool, floor)]) if floor else _cpu(tool) / 1
    before = ""
    if base:
        before = f"{_cpu(base):.2f} s ({_cpu(base) / median([f.cpu for f in floor]):.1f}x)"
    return (f"| {label} | {median([f.cpu for f in floor]):.2f} s | {_cpu(tool):.2f} s | {ratio:.1f}x | "
            f"{median([s.wall for s in tool]):.2f} s | {max(s.peak_mb for s in tool):.0f} MB | {before or '-'} |")


def _arguments() -> str:
    """This run's command line, without `--write`: the table says how to make it again."""
    return " ".join(arg for arg in sys.argv[1:] if arg != "--write")


def report(results: list[dict[str, object]], peers: dict[str, Sample] | None,
           shipped: tuple[Sample, Sample | None] | None, runs: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Made by `python bench/run.py {_arguments()}` on "
        f"{os.cpu_count()} cores (a machine shared with other jobs while it ran), "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()}. "
        f"CPU seconds (user + system, worker processes included) of whole commands; medians of {runs} runs "
        "(1 at 100k); ratios are to the floor measured in the same run, paired run by run. Peak memory is "
        "the memory of the whole process tree (PSS: pages shared by forked workers count once). Corpus: bench/corpus.py (math in every note, code "
        "or a list in every answer); the floor (bench/floor.py) writes the same rendered fields with bare "
        "genanki. Builds are `--format apkg` with the lock.",
        "",
        "| | floor CPU | exporter CPU | ratio | wall | peak memory | before (baseline code) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        n = f"{r['n']:,}"
        many, one = r["many"], r["one"]  # type: dict[str, object], dict[str, object]  # noqa
        floor = many["floor"]  # type: ignore[index]
        base_many = r.get("base_many")
        base_one = r.get("base_one")
        lines.append(_row(f"{n} cold", many["cold"], floor, base_many["cold"] if base_many else None))  # type: ignore[index]
        lines.append(_row(f"{n} one-answer edit, many files", many["edit"], floor,  # type: ignore[index]
                          base_many["edit"] if base_many else None))  # type: ignore[index]
        lines.append(_row(f"{n} one-answer edit, one file", one["edit"], floor,  # type: ignore[index]
                          base_one["edit"] if base_one else None))  # type: ignore[index]
    lines += ["", "| | sources | `.cache` | ratio | no-op rebuild CPU / wall | before: `.cache`, no-op |",
              "|---|---|---|---|---|---|"]
    for r in results:
        many = r["many"]
        base = r.get("base_many")
        before = f"{base['cache'] / 1e6:.1f} MB, {base['noop'].cpu:.2f} s" if base else "-"  # type: ignore[index]
        lines.append(f"| {r['n']:,} | {r['sources'] / 1e6:.1f} MB | {many['cache'] / 1e6:.1f} MB | "  # type: ignore[index,operator]
                     f"{many['cache'] / r['sources']:.1f}x | {many['noop'].cpu:.2f} s / {many['noop'].wall:.2f} s | "  # type: ignore[index,operator,union-attr]
                     f"{before} |")
    if peers:
        smallest = results[0]
        floor = median([f.cpu for f in smallest["many"]["floor"]])  # type: ignore[index]
        lines += ["", f"Peers on the same {smallest['n']:,} notes (cold, one run each, own virtual environments "
                  "under bench/.venvs):", "", "| tool | CPU | ratio to the floor | wall | peak memory |", "|---|---|---|---|---|"]
        lines.append(f"| exporter | {_cpu(smallest['many']['cold']):.2f} s | "  # type: ignore[index]
                     f"{_cpu(smallest['many']['cold']) / floor:.1f}x | - | - |")  # type: ignore[index]
        for name, sample in peers.items():
            lines.append(f"| {name} | {sample.cpu:.2f} s | {sample.cpu / floor:.1f}x | {sample.wall:.2f} s | "
                         f"{sample.peak_mb:.0f} MB |")
    if shipped:
        now, before = shipped
        extra = f"; baseline code {before.cpu:.2f} s CPU ({before.wall:.2f} s wall)" if before else ""
        lines += ["", f"Shipped sources/, cold, apkg + pdf: {now.cpu:.2f} s CPU ({now.wall:.2f} s wall, "
                  f"{now.peak_mb:.0f} MB){extra}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peers", action="store_true", help="time ankdown and markdown-anki-decks too")
    parser.add_argument("--baseline", type=Path, help="a checkout whose code to time beside this one")
    parser.add_argument("--baseline-max", type=int, default=10**9, help="time the baseline only up to this size")
    parser.add_argument("--shipped", action="store_true", help="time a cold build of sources/ (apkg + pdf)")
    parser.add_argument("--write", action="store_true", help="write the table to docs/benchmarks.md")
    args = parser.parse_args()
    if args.baseline is not None:  # builds run in other folders: a relative path would find this checkout's code
        args.baseline = args.baseline.resolve()
        if not (args.baseline / "exporter").is_dir():
            parser.error(f"--baseline {args.baseline}: no exporter/ package there")
    for code in (ROOT, args.baseline):
        if code is not None:
            compile_bytecode(code)
    with tempfile.TemporaryDirectory(prefix="exporter-bench-") as folder:
        work = Path(folder)
        results = []
        for count in args.sizes:
            results.append(bench_size(count, args.runs, work, args.baseline, args.baseline_max))
            print(report(results, None, None, args.runs), file=sys.stderr, flush=True)  # so far
        peers = bench_peers(min(args.sizes), work) if args.peers else None
        shipped = None
        if args.shipped:
            shipped = (bench_shipped(work, ROOT), bench_shipped(work, args.baseline) if args.baseline else None)
    text = report(results, peers, shipped, args.runs)
    print(text)
    if args.write:
        target = ROOT / "docs" / "benchmarks.md"
        kept = target.read_text(encoding="utf-8").partition(NOTES_MARKER) if target.exists() else ("", "", "")
        notes = NOTES_MARKER + kept[2] if kept[1] else ""
        target.write_text(text + ("\n" + notes if notes else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
