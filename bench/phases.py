"""Seconds per pipeline phase, in process, for one source tree: `python bench/phases.py PROJECT_DIR`.

Prints one JSON object. Render is timed cold (no render cache) and warm (every note
cached), so the cost of an incremental rebuild's phases shows beside a first build's.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    started = time.perf_counter()
    from exporter.build.pipeline import discover, load_source, read_source
    from exporter.identity.checks import run_checks
    from exporter.config import load_config
    from exporter.diagnostics import Diagnostics
    from exporter.identity.resolve import identify
    from exporter.build.incremental import output_inputs
    from exporter.model import Deck
    from exporter.rendering.render import render_notes
    from exporter.output.writers import WriteOptions
    from exporter.output.writers.apkg import write_apkg
    from exporter.project import project_at

    project = Path(sys.argv[1]).resolve()
    paths = [project / "sources"]
    times: dict[str, float] = {"import": time.perf_counter() - started}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        times[name] = round(now - since, 3)
        return now

    t = time.perf_counter()
    diagnostics = Diagnostics()
    config = load_config(project, diagnostics)
    files = discover(paths, project, diagnostics)
    notes = []
    for path in files:
        source = load_source(path, project, config, diagnostics)
        if source is not None:
            notes.extend(read_source(source, config, diagnostics))
    t = lap("read", t)
    notes = run_checks(notes, diagnostics)
    t = lap("check", t)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "cache"
        cold = render_notes(notes, project, Diagnostics(), None)
        t = lap("render_cold", t)
        render_notes(notes, project, Diagnostics(), cache)  # fills the cache
        t = time.perf_counter()
        render_notes(notes, project, Diagnostics(), cache)
        t = lap("render_cached", t)
        resolution = identify(cold, project_at(project, paths), files, diagnostics, use_lock=True).resolution
        rendered = resolution.notes
        t = lap("identity", t)
        by_name: dict[str, Deck] = {}
        for item in rendered:
            by_name.setdefault(item.note.top_deck, Deck(item.note.top_deck)).notes.append(item)
        for deck in by_name.values():
            output_inputs(deck, "apkg", {})
        t = lap("manifest_hash", t)
        for i, deck in enumerate(by_name.values()):
            write_apkg(deck, Path(folder) / f"{i}.apkg")
        t = lap("apkg_write", t)
        shutil.rmtree(cache)
    times["notes"] = len(notes)
    _ = WriteOptions
    print(json.dumps(times))


if __name__ == "__main__":
    main()
