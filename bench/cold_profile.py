"""Where a cold `--format apkg` build spends its CPU: one serial build in process under cProfile.

Run from the project root: `python bench/cold_profile.py PROJECT_DIR [--top 40] [--no-profile]`.
PROJECT_DIR holds `sources/` (make one with `python bench/corpus.py DIR/sources --notes 10000`).
Its `dist/`, `.cache` and `sources/exporter.lock` are removed first, so the build is cold.
Worker processes are turned off (one core), so every call shows in the profile: the
profile's total is inflated about 2.5x over a real run, its shares are what to read.
With `--no-profile` it prints the serial build's CPU seconds only (no profiler overhead).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cold(project: Path) -> None:
    shutil.rmtree(project / "dist", ignore_errors=True)
    shutil.rmtree(project / ".cache", ignore_errors=True)
    (project / "sources" / "exporter.lock").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()

    import os

    from click.testing import CliRunner

    import exporter.build.incremental as incremental
    import exporter.rendering.render as render
    from exporter.cli import main as cli

    incremental.cores = render.cores = lambda: 1  # type: ignore[assignment]
    project = args.project.resolve()
    _cold(project)
    os.chdir(project)
    profiler = None if args.no_profile else cProfile.Profile()
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    result = CliRunner().invoke(cli, ["build", "--format", "apkg", "-q"])
    if profiler is not None:
        profiler.disable()
    seconds = time.process_time() - started
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    print(f"serial cold build: {seconds:.2f} s CPU{' (profiled)' if profiler else ''}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
