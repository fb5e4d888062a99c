"""CPU seconds of the reading stage alone (source bytes -> notes), in process, for source trees.

Run from the project root: `python bench/read_bench.py DIR [DIR ...] [--repeat 5] [--profile]`.
Each DIR is a project (holding `sources/`) or a folder of sources. Every source is read
with the pipeline's own entry point, `exporter.build.pipeline.read_file`, without a parse
cache (a cold build's read: decoding, junk removal, every card pattern, the coverage), N
times; the script prints, per DIR, the median and the best of the N runs' CPU seconds and
the notes and findings of one run (to see a change read the same amount). With `--notes-only`
it times `exporter.reading.read.read_notes` over the already loaded sources instead
(the card patterns alone, without decoding and junk removal, and without reading by groups).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", type=Path, nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--notes-only", action="store_true", help="time read_notes on loaded sources")
    parser.add_argument("--profile", action="store_true", help="one run under cProfile, top 40 by cumulative time")
    args = parser.parse_args()

    from exporter.build.discover import discover
    from exporter.build.parse_cache import ParseCache
    from exporter.build.pipeline import load_source, read_file
    from exporter.config import load_config
    from exporter.diagnostics import Diagnostics
    from exporter.project import project_at
    from exporter.reading.read import read_notes

    for given in args.dirs:
        given = given.resolve()
        sources = given / "sources" if (given / "sources").is_dir() else given
        project = project_at(given, [sources])
        root = project.root
        config = load_config(root, Diagnostics())
        files = discover([sources], root, Diagnostics())
        loaded = [s for s in (load_source(p, root, config, Diagnostics()) for p in files) if s is not None]

        def once() -> tuple[int, int]:
            diagnostics = Diagnostics()
            if args.notes_only:
                count = sum(len(read_notes(source, diagnostics)[0]) for source in loaded)
                return count, len(diagnostics.items)
            cache = ParseCache(None)  # nothing kept, nothing found: every file is read
            count = sum(len(read_file(path, root, config, diagnostics, cache)[1].notes) for path in files)
            return count, len(diagnostics.items)

        once()  # warm-up: imports, compiled regexes, markdown-it's parser
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            once()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        seconds = []
        for _ in range(args.repeat):
            started = time.process_time()
            counts = once()
            seconds.append(time.process_time() - started)
        print(f"{given}: {len(files)} files, {counts[0]} notes, {counts[1]} findings; "
              f"read {statistics.median(seconds):.3f} s median, {min(seconds):.3f} s best of {args.repeat}")


if __name__ == "__main__":
    main()
