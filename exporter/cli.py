"""Command-line wiring only: parse options, call the pipeline, print, exit.

Heavy libraries (genanki, WeasyPrint, markdown-it) are imported inside the
commands so that `exporter --help` stays instant.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

if TYPE_CHECKING:
    from exporter.build.delta import Edit
    from exporter.build.manifest import Manifest
    from exporter.diagnostics import Diagnostics
    from exporter.output.writers import Writer

DEFAULT_FORMATS = ("apkg", "pdf")
ALL_FORMATS = ("apkg", "pdf", "html")


def _paths(paths: tuple[Path, ...]) -> list[Path]:
    return list(paths) if paths else [Path("sources")]


def _print_diagnostics(diagnostics: Diagnostics, quiet: bool = False) -> None:
    from exporter.diagnostics import Diagnostics, Level

    if quiet:  # leave the infos out before sorting: a big deck has thousands of them
        diagnostics = Diagnostics([d for d in diagnostics.items if d.level is not Level.INFO])
    for diagnostic in diagnostics.sorted():
        click.echo(diagnostic.format(), err=True)


def output_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `build` and `watch` share: what to write, where, and how it looks."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--out", "out_dir", default="dist", show_default=True, type=click.Path(path_type=Path),
                     help="Folder the decks and sheets are written to."),
        click.option("--format", "formats", multiple=True, type=click.Choice(ALL_FORMATS),
                     help="Output formats (repeatable). Default: apkg and pdf."),
        click.option("--layout", type=click.Choice(["sheet", "quiz", "cards"]), default="sheet",
                     show_default=True, help="PDF layout: revision sheet, quiz with answer key, cut-out cards."),
        click.option("--columns", type=click.IntRange(1, 2), default=1, show_default=True,
                     help="Columns on sheets."),
        click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True),
        click.option("--card-size", type=click.Choice(["2x4", "a6", "index", "fold"]), default="2x4",
                     show_default=True,
                     help="--layout cards: eight 90x62 mm cards per page (2x4), four A6, 5x3 in index "
                          "cards, or fold (front and back side by side: fold the sheet, no duplex needed)."),
        click.option("--skip-open", is_flag=True, help="Leave out questions that have no answer yet."),
        click.option("--no-lock", is_flag=True,
                     help="Neither read nor write the lock file (GUIDs from deck and question)."),
        click.option("--reset-lock", is_flag=True,
                     help="Start a new lock, ignoring the current one (kept as exporter.lock.bak): "
                          "notes get fresh GUIDs, Anki sees them as new."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _writers_for(formats: tuple[str, ...]) -> tuple[dict[str, Writer], tuple[str, ...]]:
    """The writer registry and the formats to write (the defaults when none were asked for)."""
    from exporter.output.writers import load_writers

    writers = load_writers(formats or None)
    wanted = formats or tuple(f for f in DEFAULT_FORMATS if f in writers)
    missing = [f for f in wanted if f not in writers]
    if missing:
        raise click.UsageError(f"output format not available: {', '.join(missing)}")
    return writers, wanted


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="exporter")
def main() -> None:
    """Turn Markdown study notes into Anki decks (.apkg) and printable revision sheets (PDF)."""


@main.command()
@output_options
@click.option("--strict", is_flag=True, help="Exit with status 1 when any source has an error.")
@click.option("-q", "--quiet", is_flag=True, help="Print warnings and errors only.")
@click.option("--force", is_flag=True, help="Rebuild every output, even those whose inputs did not change.")
def build(paths: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], layout: str, columns: int,
          paper: str, card_size: str, skip_open: bool, strict: bool, quiet: bool, force: bool, no_lock: bool,
          reset_lock: bool) -> None:
    """Build every deck found in PATHS (default: sources/) into --out; unchanged outputs are kept."""
    from exporter.build.outfolder import OutputFolderError, claim

    try:
        with claim(out_dir, lambda line: click.echo(line, err=True)):
            failed = _build(paths, out_dir, formats, layout, columns, paper, card_size, skip_open, strict, quiet, force,
                            no_lock, reset_lock)
    except OutputFolderError as exc:
        click.echo(f"error: {exc}; nothing was written", err=True)
        sys.exit(1)
    if failed:
        sys.exit(1)


def _fewer_collections() -> None:
    """Let Python's cycle collector run less often during a build.

    A build keeps every note alive until the end, so each full collection walks all of
    them again, for almost nothing to free (notes hold no cycles; reference counting frees
    them): with the default thresholds that was an eighth of a one-note rebuild at 10k notes.
    What is loaded so far (modules, the click app) is frozen: never scanned again.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _build(paths: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], layout: str, columns: int,
           paper: str, card_size: str, skip_open: bool, strict: bool, quiet: bool, force: bool, no_lock: bool,
           reset_lock: bool) -> bool:
    """The build itself, run while the output folder is held; True when an output could not be written."""
    # Only what the no-op check needs is imported before it: reading and rendering
    # (markdown-it, the patterns, identity) cost more than the check itself.
    from exporter.build import incremental
    from exporter.diagnostics import Diagnostics, Level
    from exporter.build.manifest import read_manifest, write_manifest
    from exporter.output.mathengine import resolved_engine
    from exporter.model import NoteKind
    from exporter.project import find_project

    project = find_project(_paths(paths))
    root = project.root
    request = {"formats": formats, "layout": layout, "columns": columns, "paper": paper, "card_size": card_size,
               "math_engine": resolved_engine("auto", root),
               "skip_open": skip_open, "lock": not no_lock, "out": out_dir.resolve()}
    manifest = read_manifest(out_dir)
    digest = incremental.request_digest(_paths(paths), root, request)
    if digest is not None and not force and not reset_lock:
        key = incremental.full_key(digest, project.lock_path, not no_lock)
        replayed = incremental.replay_if_unchanged(manifest, key, out_dir)
        if replayed is not None:
            _print_diagnostics(Diagnostics(replayed), quiet)
            if not quiet:
                for name in manifest.quick["outputs"]:
                    click.echo(f"unchanged {out_dir / name}")
                click.echo("nothing changed")
            sys.exit(1 if strict and any(d.level is Level.ERROR for d in replayed) else 0)
    _fewer_collections()
    from exporter.build.pipeline import collect
    from exporter.build.progress import bars_for
    from exporter.output.writers import WriteOptions

    writers, wanted = _writers_for(formats)
    cache_dir = out_dir / ".cache"
    # Only an `.apkg` build is built from the files that changed (`build/delta.py`); sheets need every note.
    by_files = wanted == ("apkg",) and not (force or reset_lock or no_lock or skip_open)
    if by_files and not os.environ.get("EXPORTER_FULL_BUILD"):
        from exporter.build import delta

        done = delta.edit(_paths(paths), project, request, cache_dir, out_dir, manifest,
                          WriteOptions(project_root=root, layout=layout, columns=columns, paper=paper,
                                       card_size=card_size))
        if done is not None:
            return _finish_edit(done, out_dir, manifest, digest, project.lock_path, quiet, strict)
    bars = bars_for(quiet)
    try:
        model = collect(_paths(paths), project, use_lock=not no_lock, cache_dir=cache_dir, step=bars.step,
                        reset_lock=reset_lock)
        if skip_open:
            model.notes = [n for n in model.notes if n.note.kind is not NoteKind.OPEN]
        _print_diagnostics(model.diagnostics, quiet)
        if model.lock_error is not None:
            click.echo(f"error: {project.relative(project.lock_path)} cannot be read, so nothing was built: "
                       "building on would give every note a new GUID and cost its review history in Anki",
                       err=True)
            sys.exit(1)
        options = WriteOptions(project_root=root, layout=layout, columns=columns, paper=paper,
                           card_size=card_size)
        decks = model.decks()
        if not model.notes and not model.removed:
            click.echo("error: no notes found; nothing to build", err=True)
            sys.exit(1)
        echo = (lambda _line: None) if quiet else click.echo
        outcome = incremental.write_changed(decks, wanted, writers, out_dir, options, manifest, force, echo,
                                            bars.step, model.digests)
    finally:
        bars.close()
    _print_diagnostics(Diagnostics(outcome.findings), quiet)
    model.diagnostics.items.extend(outcome.findings)  # replayed by the next no-op build
    incremental.save_lock(model, lambda line: click.echo(line, err=True))
    if by_files:
        from exporter.build import delta

        delta.record(cache_dir, root, _paths(paths), request, model)
    incremental.remember(manifest, digest, project.lock_path, model, outcome.built + outcome.unchanged)
    if outcome.failed:
        manifest.quick = {}  # the failed outputs must be tried again, not replayed as done
    try:
        write_manifest(out_dir, manifest)
    except OSError as exc:
        click.echo(f"warning: cannot write {out_dir}'s manifest: {exc.strerror or exc}; "
                   "the next build rebuilds every output", err=True)
    if model.identity is not None and not quiet:
        for line in model.identity.report():
            click.echo(line)
    if strict and model.diagnostics.has_errors:
        sys.exit(1)
    return bool(outcome.failed)


def _finish_edit(done: Edit, out_dir: Path, manifest: Manifest, digest: str | None, lock_path: Path, quiet: bool,
                 strict: bool) -> bool:
    """Report an edit build (`build/delta.py`) as `_build` reports a full one; True when an output failed."""
    from exporter.build import incremental
    from exporter.build.manifest import write_manifest
    from exporter.diagnostics import Diagnostics

    _print_diagnostics(Diagnostics(done.diagnostics), quiet)
    if not quiet:
        for line in done.echoes:
            click.echo(line)
    _print_diagnostics(Diagnostics(done.outcome.findings), quiet)
    if done.lock_message is not None:
        click.echo(done.lock_message, err=True)
    found = Diagnostics([*done.diagnostics, *done.outcome.findings])
    incremental.remember_build(manifest, digest, lock_path, True, done.media, found.sorted(),
                               done.outcome.built + done.outcome.unchanged)
    if done.outcome.failed:
        manifest.quick = {}
    try:
        write_manifest(out_dir, manifest)
    except OSError as exc:
        click.echo(f"warning: cannot write {out_dir}'s manifest: {exc.strerror or exc}; "
                   "the next build rebuilds every output", err=True)
    if not quiet:
        for line in done.report:
            click.echo(line)
    if strict and found.has_errors:
        sys.exit(1)
    return bool(done.outcome.failed)


@main.command()
@output_options
@click.option("--debounce", type=click.IntRange(50, 10_000), default=300, show_default=True,
              help="Milliseconds of quiet after a save before rebuilding.")
def watch(paths: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], layout: str, columns: int,
          paper: str, card_size: str, skip_open: bool, no_lock: bool, reset_lock: bool, debounce: int) -> None:
    """Build PATHS (default: sources/), then rebuild on every save until Ctrl-C."""
    from exporter.build.watch import Watcher
    from exporter.output.writers import WriteOptions
    from exporter.project import find_project

    project = find_project(_paths(paths))
    writers, wanted = _writers_for(formats)
    options = WriteOptions(project_root=project.root, layout=layout, columns=columns, paper=paper,
                           card_size=card_size)
    watcher = Watcher(_paths(paths), project, out_dir, wanted, writers, options, click.echo, not no_lock, skip_open,
                      reset_lock)
    watcher.run(debounce)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def dump(paths: tuple[Path, ...]) -> None:
    """Print the parsed model of PATHS as one JSON object."""
    from exporter.build.pipeline import collect
    from exporter.project import find_project
    from exporter.serialize import model_to_json

    model = collect(_paths(paths), find_project(_paths(paths)))
    json.dump(model_to_json(model), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _share(share: float) -> str:
    """A percentage that never rounds a loss away: 99.6% shows as 99%, not 100%."""
    return f"{int(share * 100)}%"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Lint PATHS: one line per finding, then a summary; exit 1 on any error."""
    from exporter.build.pipeline import collect
    from exporter.diagnostics import Level
    from exporter.project import find_project

    model = collect(_paths(paths), find_project(_paths(paths)))
    diagnostics = model.diagnostics
    for diagnostic in diagnostics.sorted():
        click.echo(diagnostic.format())
    click.echo(
        f"{len(model.sources)} files, {len(model.notes)} notes: "
        f"{diagnostics.count(Level.ERROR)} errors, {diagnostics.count(Level.WARNING)} warnings, "
        f"{diagnostics.count(Level.INFO)} infos; {_share(model.coverage.share)} of the text on cards"
    )
    sys.exit(1 if diagnostics.has_errors else 0)
