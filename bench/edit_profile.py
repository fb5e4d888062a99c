"""What a one-answer edit costs, and how much of it is identity and the lock.

Run from the project root: `python bench/edit_profile.py [N] [--runs 3] [--one-file] [--top K]`.
Writes a corpus of N notes (bench/corpus.py; `--one-file`: all of them in one file, where the
edited file is re-read), builds it cold (`--format apkg`, with the lock), then for each run
edits one answer and rebuilds in process under cProfile. Prints the median CPU time of the
edit build (the build's worker processes, if any, not counted) and the cumulative CPU seconds of the identity stage (`exporter/identity/`: pairing,
fingerprints, lock read and write) and of `words()`, the normalising regex, as a share of it.
Issue 12 asks that these cost in proportion to what changed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def edit_one_answer(project: Path, run: int) -> None:
    sources = project / "sources"
    path = (sorted(sources.glob("qa-*.md")) + sorted(sources.glob("*.md")))[0]  # the one file has no qa- name
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"for note 0 (edit {run - 1}).", "for note 0.", 1)
    path.write_text(text.replace("for note 0.", f"for note 0 (edit {run}).", 1), encoding="utf-8")


def identity_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the outermost identity and lock functions, and of `words`."""
    entries = stats.stats  # type: ignore[attr-defined]
    found = {"identity": 0.0, "lock write": 0.0, "words": 0.0}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in entries.items():
        where = filename.replace(os.sep, "/")
        if "exporter/identity/" in where and name == "identify":
            found["identity"] += cumulative
        if "exporter/identity/" in where and name == "write_lock":
            found["lock write"] += cumulative
        if "exporter/identity/" in where and name == "words":
            found["words"] += cumulative
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-file", action="store_true", help="all notes in one file (bench/run.py's one-file edit)")
    parser.add_argument("--top", type=int, default=0, help="also print the K functions of most cumulative time (last run)")
    args = parser.parse_args()
    from click.testing import CliRunner

    from corpus import write_corpus, write_one_file
    from exporter.cli import main as cli

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        if args.one_file:
            write_one_file(project / "sources", args.count)
        else:
            write_corpus(project / "sources", args.count)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "exporter", "build", "--format", "apkg", "-q"], cwd=project,
                       env=env, check=True)
        os.chdir(project)
        walls: list[float] = []
        parts: list[dict[str, float]] = []
        for run in range(1, args.runs + 1):
            edit_one_answer(project, run)
            # CPU time, not wall time: six developers share two cores, and a loaded machine
            # would stretch every phase by whatever else runs.
            profiler = cProfile.Profile(time.process_time)
            started = time.process_time()
            profiler.enable()
            result = CliRunner().invoke(cli, ["build", "--format", "apkg", "-q"])
            profiler.disable()
            walls.append(time.process_time() - started)
            assert result.exit_code == 0, result.output
            parts.append(identity_seconds(pstats.Stats(profiler)))
            last = profiler
    wall = statistics.median(walls)
    print(f"N={args.count}: one-answer edit build {wall:.2f} s CPU in process under cProfile (median of {args.runs})")
    for name in ("identity", "lock write", "words"):
        seconds = statistics.median(p[name] for p in parts)
        print(f"  {name:<10} {seconds:.3f} s  {100 * seconds / wall:.1f}%")
    if args.top:
        pstats.Stats(last).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
