"""Decide which outputs to rebuild, and skip the whole pipeline when nothing changed.

Two levels, both recorded in the output folder's manifest:
- per output, the hash of its inputs (see `manifest.output_inputs`): after reading and
  rendering, only outputs whose hash changed or whose file is missing or altered are written;
- for the whole build, a key of the raw inputs (source bytes, settings, lock, options,
  toolkit): when it matches and every output is still in place, the build stops before
  reading anything, replaying the last build's messages.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from exporter.diagnostics import Diagnostic, Diagnostics, Level
from exporter.identity.lock import save_lock as save_lock_file
from exporter.build.manifest import (
    Digests,
    Manifest,
    OutputRecord,
    output_inputs,
    record_for,
    toolkit_fingerprint,
)
from exporter.model import Deck, MediaFile, SourceLocation
from exporter.build.parallel import cores, worker_pool
from exporter.build.progress import Step
from exporter.output.names import output_stems
from exporter.output.writers import WriteOptions, Writer

from exporter.build.discover import discover

if TYPE_CHECKING:
    from exporter.build.pipeline import Model

Echo = Callable[[str], None]
_SETTINGS_FILES = ("exporter.toml", "pyproject.toml")


@dataclass
class Outcome:
    built: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    """What writers found while writing (formulas the math engine could not draw), and write failures."""
    failed: list[Path] = field(default_factory=list)
    """Outputs that could not be written; whatever was there before is untouched."""


@dataclass(frozen=True)
class Job:
    """One output to write: a deck in one format."""

    deck: Deck
    fmt: str
    target: Path
    inputs: str


_IN_PROCESS_FORMATS = ("apkg",)
"""Formats fast enough (milliseconds a deck) that a worker process would cost more than it saves."""


def options_key(options: WriteOptions) -> dict[str, Any]:
    """The write options that can change an output (the project root is where, not what)."""
    from exporter.output.mathengine import resolved_engine

    # The engine that will draw, not "auto": sheets are redrawn when MathJax appears or goes.
    engine = resolved_engine(options.math_engine, options.project_root)
    return {"layout": options.layout, "columns": options.columns, "paper": options.paper,
            "card_size": options.card_size, "math_engine": engine}


def deck_stems(decks: list[Deck]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Each deck's unique file stem, and a warning for each deck renamed to stay apart."""
    return stems_of([deck.name for deck in decks],
                    {deck.name: deck.notes[0].note.source for deck in decks if deck.notes})


def stems_of(names: list[str], first_note: Mapping[str, SourceLocation]) -> tuple[dict[str, str], list[Diagnostic]]:
    """`deck_stems` of the decks `names` (sorted), whose first notes stand where `first_note` says."""
    stems, collisions = output_stems(names)
    findings = []
    for kept, renamed in collisions:
        where = first_note.get(renamed)
        findings.append(Diagnostic(
            where.path if where else "", where.line if where else 0, Level.WARNING, "output-name",
            f"decks {kept!r} and {renamed!r} give the same file name; {renamed!r} is written as "
            f"{stems[renamed]!r}"))
    return stems, findings


def write_changed(
    decks: list[Deck],
    formats: tuple[str, ...],
    writers: dict[str, Writer],
    out_dir: Path,
    options: WriteOptions,
    manifest: Manifest,
    force: bool,
    echo: Echo,
    step: Step | None = None,
    digests: Digests | None = None,
) -> Outcome:
    """Write each deck in each format unless its recorded inputs match; update `manifest` as it goes.

    Sheets take about a second a deck in WeasyPrint, so independent decks are laid out in
    parallel worker processes, one per core; decks are written in a fixed order whatever
    finishes first, so messages and manifest are the same on every run. `digests` are the
    notes' known `manifest.note_digest`s (`Model.digests`).
    """
    outcome = Outcome()
    key = options_key(options)
    stems, outcome.findings = deck_stems(decks)
    jobs: list[Job] = []
    for deck in decks:
        for fmt in formats:
            if not deck.notes and not getattr(writers[fmt], "emits_removed", False):
                continue  # a deck left with removed notes only exists for Anki
            target = out_dir / f"{stems[deck.name]}.{writers[fmt].extension}"
            inputs = output_inputs(deck, fmt, key, digests)
            record = manifest.outputs.get(target.name)
            if not force and record is not None and record.inputs == inputs and record.matches(target):
                outcome.unchanged.append(target)
                echo(f"unchanged {target}")
            else:
                jobs.append(Job(deck, fmt, target, inputs))
    sheets = [job.deck for job in jobs if job.fmt in ("pdf", "html")]
    if sheets:
        from exporter.output.mathengine import start_budget
        from exporter.output.writers.html import describe_math_engine, draw_ahead

        start_budget()  # one MathJax time limit for every deck of this build
        echo(describe_math_engine(options))
        draw_ahead(sheets, out_dir, options)
    if step is not None and jobs:
        step("write", 0, len(jobs))
    for job, (findings, failure) in zip(jobs, _run(jobs, writers, options, step)):
        outcome.findings.extend(findings)
        if failure is not None:
            outcome.failed.append(job.target)
            outcome.findings.append(Diagnostic(str(job.target), 0, Level.ERROR, "write-failed", failure))
            continue
        try:
            manifest.outputs[job.target.name] = record_for(job.target, job.inputs)
        except OSError:
            manifest.outputs.pop(job.target.name, None)  # rebuilt next time
        outcome.built.append(job.target)
        echo(f"built {job.target} ({len(job.deck.notes)} notes)")
    return outcome


Result = tuple[list[Diagnostic], str | None]
"""A job's findings, and why it failed (None when its output was written)."""


def _run(jobs: list[Job], writers: dict[str, Writer], options: WriteOptions,
         step: Step | None = None) -> list[Result]:
    """Each job's result, in job order; slow formats in worker processes when that helps."""
    results: dict[int, Result] = {}

    def finished() -> None:
        if step is not None:
            step("write", len(results), len(jobs))

    slow = [i for i, job in enumerate(jobs) if job.fmt not in _IN_PROCESS_FORMATS]
    workers = min(len(slow), cores())
    if workers > 1:
        with worker_pool(workers) as pool:
            futures = {i: pool.submit(_write_job, jobs[i], options) for i in slow}
            for i, job in enumerate(jobs):
                if i not in futures:
                    results[i] = _write_job(job, options)
                    finished()
            for i, future in futures.items():
                results[i] = future.result()
                finished()
    else:
        for i, job in enumerate(jobs):
            results[i] = _write_job(job, options)
            finished()
    return [results[i] for i in range(len(jobs))]


def _write_job(job: Job, options: WriteOptions) -> Result:
    """Write one output; a failing disk or an input too deep to lay out fails this output only.

    Also the worker-process entry point: writers are looked up again, the registry is per process.
    """
    from exporter.output.writers import load_writers

    try:
        return load_writers((job.fmt,))[job.fmt].write(job.deck, job.target, options), None
    except OSError as exc:
        return [], f"not written ({exc.strerror or exc}); any previous version is kept"
    except RecursionError:
        return [], ("not written: the deck's HTML is nested too deeply to lay out "
                    "(raw HTML elements inside each other, hundreds deep); any previous version is kept")


def request_digest(paths: list[Path], root: Path, request: dict[str, Any]) -> str | None:
    """Hash of the raw inputs of a build, lock excluded; None when discovery has findings to report."""
    diagnostics = Diagnostics()
    files = discover(paths, root, diagnostics)
    if diagnostics.items:
        return None
    digest = hashlib.sha256(toolkit_fingerprint().encode())
    digest.update(json.dumps(request, sort_keys=True, default=str).encode())
    for path in [*files, *(root / name for name in _SETTINGS_FILES)]:
        digest.update(b"\x00" + str(path.resolve()).encode() + b"\x00")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\x01missing")
    return digest.hexdigest()


def full_key(digest: str, lock_path: Path, use_lock: bool) -> str:
    """The request digest with the lock's current bytes: the lock is an input of identity.

    The lock enters by its size and CRC-32, not hashed whole with the sources: at 100k notes it is
    50 MB, read before and after every build, and SHA-256 over it twice was 0.16 s of a one-answer edit.
    """
    lock = b""
    if use_lock:
        try:
            data = lock_path.read_bytes()
            lock = b"%d:%d" % (len(data), zlib.crc32(data))
        except OSError:
            lock = b"\x01missing"
    return hashlib.sha256(digest.encode() + lock).hexdigest()


def replay_if_unchanged(manifest: Manifest, key: str, out_dir: Path) -> list[Diagnostic] | None:
    """The last build's findings when nothing it depends on changed; None when a build is needed."""
    quick = manifest.quick
    if quick.get("key") != key:
        return None
    for name in quick.get("outputs", []):
        record = manifest.outputs.get(name)
        if record is None or not record.matches(out_dir / name):
            return None
    for path, size, mtime_ns in quick.get("media", []):
        if not OutputRecord("", size, mtime_ns).matches(Path(path)):
            return None
    return [Diagnostic(d["path"], d["line"], Level(d["level"]), d["code"], d["message"])
            for d in quick.get("diagnostics", [])]


def remember(manifest: Manifest, digest: str | None, lock_path: Path, model: Model, outputs: list[Path]) -> None:
    """Record the whole build so that the next identical one can be skipped.

    Called after the lock is written, so the key holds the lock this build leaves behind.
    Without a digest (discovery had findings) the old record is dropped: it no longer
    describes the outputs on disk.
    """
    remember_build(manifest, digest, lock_path, model.lock_path is not None,
                   [m for rn in [*model.notes, *model.removed] for m in rn.media], model.diagnostics.sorted(), outputs)


def remember_build(manifest: Manifest, digest: str | None, lock_path: Path, use_lock: bool, media_files: list[MediaFile],
                   diagnostics: list[Diagnostic], outputs: list[Path]) -> None:
    """`remember` of a build that packed `media_files` and found `diagnostics` (sorted)."""
    if digest is None:
        manifest.quick = {}
        return
    key = full_key(digest, lock_path, use_lock)
    media = sorted({m.path for m in media_files})
    stats = []
    for path in media:
        try:
            stat = Path(path).stat()
            stats.append([path, stat.st_size, stat.st_mtime_ns])
        except OSError:
            stats.append([path, -1, -1])
    manifest.quick = {
        "key": key,
        "outputs": sorted(p.name for p in outputs),
        "media": stats,
        "diagnostics": [d.to_json() for d in diagnostics],
    }


def save_lock(model: Model, echo: Echo) -> None:
    """Write the lock after a build; a read-only location is a warning, never a crash.

    When the new lock knows fewer GUIDs than the one it replaces (entries skipped as
    malformed, `--reset-lock`, expired removed notes), the old one is kept as a backup
    and the message names it.
    """
    if model.lock_path is None or model.identity is None:
        return
    def shown(path: Path) -> str:
        return model.project.relative(path) if model.project is not None else path.name

    try:
        backup = save_lock_file(model.lock_path, model.identity.lock, model.identity.backup)
    except OSError as exc:
        echo(f"warning: cannot write {shown(model.lock_path)}: {exc.strerror or exc}; note identities not saved")
        return
    if backup is not None:
        echo(f"the previous lock, which knew notes this one does not, is kept as {shown(backup)}")
