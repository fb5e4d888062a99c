"""The pipeline: discover sources -> read all -> check -> render -> write.

Everything is gathered before anything is written, so a bad source is reported
together with every other finding and never leaves a half-written output.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from exporter.identity.checks import run_checks
from exporter.config import Config, load_config
from exporter.diagnostics import Diagnostics
from exporter.identity.lock import LockEntry
from exporter.identity.resolve import (
    Resolution, file_digest, fingerprint, identify, removed_answer_html, removed_note,
)
from exporter.reading.junk import remove_junk
from exporter.build.manifest import Digests, note_digest, toolkit_fingerprint
from exporter.model import Deck, Note, RenderedNote
from exporter.build.progress import Step
from exporter.build.discover import discover
from exporter.build.parse_cache import FileRead, ParseCache, file_key
from exporter.language import note_markers
from exporter.reading.chunked import GroupStore, read_by_groups
from exporter.reading.claim import Coverage
from exporter.reading.patterns import canonical, pattern_names
from exporter.reading.source import ReadOptions, SourceFile, with_tags
from exporter.reading.text import decode
from exporter.project import Project, project_at, relative_path

if TYPE_CHECKING:
    from exporter.rendering.render import Origin

MAX_REPORTED_LINES = 20
"""Per file and per kind of damage: a binary file read by mistake must not print a million lines."""


@dataclass
class Model:
    """Everything the sources say, after checks: what `dump` prints and writers consume."""

    notes: list[RenderedNote]
    diagnostics: Diagnostics
    sources: list[str] = field(default_factory=list)
    identity: Resolution | None = None
    """What changed since the last build, and the lock to write."""
    lock_path: Path | None = None
    """Where `build` writes the lock; None with `--no-lock` or an unreadable lock."""
    lock_error: str | None = None
    """Why the lock could not be read; `build` and `watch` then write nothing."""
    removed: list[RenderedNote] = field(default_factory=list)
    """Notes whose question left the sources, still emitted to Anki with the removal tag."""
    project: Project | None = None
    """Where the paths of messages are measured from."""
    coverage: Coverage = field(default_factory=Coverage)
    """How much of the sources' text ended on cards."""
    digests: Digests = field(default_factory=dict)
    """`manifest.note_digest` of the notes, for `manifest.output_inputs`: from the render cache
    for unchanged notes, so hashing the outputs' inputs costs what changed."""
    reads: Reads = field(default_factory=dict)
    """Each file read: its parse-cache key and reading (`exporter.build.delta` keeps what each gave)."""
    source_findings: tuple[int, int] = (0, 0)
    """Where the findings of reading, checking and rendering the files are in `diagnostics.items`."""
    languages: dict[str, str] = field(default_factory=dict)
    """Each source file's language."""

    def decks(self) -> list[Deck]:
        """Notes grouped by top-level deck, decks sorted by name, notes in source order, removed notes apart."""
        by_name: dict[str, Deck] = {}
        for rendered in self.notes:
            name = rendered.note.top_deck
            by_name.setdefault(name, Deck(name)).notes.append(rendered)
        for rendered in self.removed:
            name = rendered.note.top_deck
            by_name.setdefault(name, Deck(name)).removed.append(rendered)
        return [by_name[name] for name in sorted(by_name)]


def load_source(
    path: Path, root: Path, config: Config, diagnostics: Diagnostics, data: bytes | None = None
) -> SourceFile | None:
    """Read (unless `data` holds the bytes) and decode one file; an unreadable file is an error, not a crash."""
    rel = relative_path(path, root)
    if data is None:
        data = read_bytes(path, rel, diagnostics)
        if data is None:
            return None
    decoded = decode(data)
    if decoded.repaired_mojibake:
        diagnostics.info(
            rel,
            decoded.first_repaired_line,
            "mojibake",
            "text was double-encoded (mojibake); repaired with ftfy",
        )
    for line in decoded.replaced_lines[:MAX_REPORTED_LINES]:
        diagnostics.warning(rel, line, "encoding",
                            f"bytes invalid in {decoded.encoding} replaced by \N{REPLACEMENT CHARACTER}")
    if len(decoded.replaced_lines) > MAX_REPORTED_LINES:
        diagnostics.warning(rel, decoded.replaced_lines[MAX_REPORTED_LINES], "encoding",
                            f"{len(decoded.replaced_lines) - MAX_REPORTED_LINES} more lines with invalid bytes")
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        diagnostics.info(rel, 0, "encoding", f"read as {decoded.encoding}, not UTF-8")
    text = remove_junk(decoded.text, rel, diagnostics)
    settings = config.for_source(rel)
    off = tuple(canonical(name) or name for name in settings.patterns_off)
    options = ReadOptions(settings.reader, off, settings.question_labels, settings.answer_labels)
    return SourceFile(rel, path.resolve(), text, settings.deck, settings.tags, options)


def read_bytes(path: Path, rel: str, diagnostics: Diagnostics) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        diagnostics.error(rel, 0, "unreadable", f"cannot read file: {exc.strerror or exc}")
        return None


def read_file(
    path: Path, root: Path, config: Config, diagnostics: Diagnostics, cache: ParseCache
) -> tuple[str | None, FileRead]:
    """The reading of one file, from the parse cache when its bytes and settings are unchanged.

    Also its parse-cache key (None when it could not be read): the key names the file's
    content, so later stages can keep per-file results under it.
    """
    rel = relative_path(path, root)
    data = read_bytes(path, rel, diagnostics)
    if data is None:
        return None, FileRead([], [], Coverage(), (0, 0))
    settings = config.for_source(rel)
    key = file_key(toolkit_fingerprint(), rel, data, settings)
    groups = cache.groups_of(toolkit_fingerprint(), rel, settings)
    cached = cache.get(key, groups, settings.tags)
    if cached is not None:
        diagnostics.items.extend(cached.findings)
        return key, cached
    found = Diagnostics()
    source = load_source(path, root, config, found, data)
    if source is None:
        read = FileRead([], found.items, Coverage(), (0, 0))
    else:
        notes, coverage, markers = read_source_covered(source, found, groups)
        read = FileRead(notes, found.items, coverage, note_markers(notes) if markers is None else markers,
                        groups.places, groups.placed)
    if groups.layout is not None:  # read by groups: their list is kept, not every note again
        cache.put_groups(key, groups, read.findings, read.coverage, read.markers)
    elif not any(d.code == "internal" for d in found.items):  # a reader bug is not remembered
        cache.put(key, read)
    diagnostics.items.extend(found.items)
    return key, read


def _group_origins(groups: list[tuple[str, str, int]]) -> Iterator[Origin]:
    """The render-cache origins of the notes of a file read by groups: each group's place and entry."""
    for place, name, count in groups:
        for index in range(count):
            yield place, index, name


def read_source(source: SourceFile, config: Config, diagnostics: Diagnostics) -> list[Note]:
    """The notes of one decoded file (`config` is kept for callers; the settings are in `source.options`)."""
    _ = config
    return read_source_covered(source, diagnostics)[0]


def read_source_covered(
    source: SourceFile, diagnostics: Diagnostics, groups: GroupStore | None = None
) -> tuple[list[Note], Coverage, tuple[int, int] | None]:
    """Read the notes of one file with every allowed card pattern, and how much of its text they hold.

    With `groups`, a big file of labelled pairs is read by the groups of pairs that changed
    since they were kept there (`exporter.reading.chunked`), which also gives its
    `language.marker_counts` (else None).
    """
    from exporter.reading.read import read_notes

    if groups is not None:
        try:
            by_groups = read_by_groups(source, groups)
        except Exception:  # a bug in the shortcut costs the time of a full read, which reports its own bugs
            if os.environ.get("EXPORTER_DEBUG"):
                raise
            by_groups = None
        if by_groups is not None:
            notes, findings, coverage, markers = by_groups
            diagnostics.items.extend(findings)
            if source.tags:
                notes = [with_tags(n, source.tags) for n in notes]
            return notes, coverage, markers
    only = source.options.only
    if only is not None and canonical(only) is None:
        known = ", ".join(pattern_names())
        diagnostics.error(source.path, 0, "config", f"unknown reader {only!r} (known: {known})")
        return [], Coverage(), None
    if only is not None:
        source = dataclasses.replace(source, options=dataclasses.replace(source.options, only=canonical(only)))
    try:
        notes, coverage = read_notes(source, diagnostics)
    except Exception as exc:  # a reading bug must not cost the user every other file's outputs
        if os.environ.get("EXPORTER_DEBUG"):
            raise
        diagnostics.error(
            source.path, 0, "internal",
            f"reading this file failed ({type(exc).__name__}: {exc}); skipped. "
            "This is a bug: please report it (EXPORTER_DEBUG=1 shows the traceback)",
        )
        return [], Coverage(0, sum(1 for line in source.lines if line.strip())), None
    if not notes:
        diagnostics.warning(source.path, 0, "unknown-format", "no card pattern recognises this file; skipped")
    if source.tags:
        notes = [with_tags(n, source.tags) for n in notes]
    return notes, coverage, None


def collect(
    paths: list[Path],
    project: Project | Path,
    use_lock: bool = True,
    cache_dir: Path | None = None,
    step: Step | None = None,
    reset_lock: bool = False,
    now: int | None = None,
) -> Model:
    """Read, check, render and identify every source under `paths`; never raises on bad input.

    `project` is usually `find_project(paths)`; a folder given instead is taken as the
    root (see `project_at`). `cache_dir` (the output folder's `.cache`) keeps each file's
    notes and each note's rendering across builds; `step` hears the progress of reading
    and rendering. Identity comes after rendering: a note's modification time follows
    what Anki shows.
    """
    from exporter.rendering.render import render_and_hash

    if not isinstance(project, Project):
        project = project_at(project, paths)
    root = project.root
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    files = discover(paths, root, diagnostics)
    for entry in config.unmatched([relative_path(p, root) for p in files]):
        diagnostics.warning(config.path or "", 0, "config",
                            f"sources entry {entry.pattern!r} matches none of the files read")
    first_source_finding = len(diagnostics.items)
    cache = ParseCache(cache_dir)
    try:
        notes, coverage, markers, origins, reads = read_files(files, root, config, diagnostics, cache, step)
    finally:
        cache.close()
    read_notes = notes
    notes = run_checks(notes, diagnostics)
    languages = languages_of(notes, config, markers, read_notes)
    # The hashes are worth computing here only to be kept in the cache (`dump` and `check` have none).
    rendered, hashes = render_and_hash(notes, root, diagnostics, cache_dir, step, languages=languages,
                                       origins=origins, hasher=_hashes if cache_dir is not None else None)
    source_findings = (first_source_finding, len(diagnostics.items))
    identity = identify(rendered, project, files, diagnostics, use_lock, reset_lock, now,
                        fingerprints=[h[0] if h is not None else None for h in hashes], cache_dir=cache_dir)
    resolution = identity.resolution
    removed = render_removed(resolution.emitted_removed, root)
    digests = {id(final): (final, h[1]) for final, h in zip(resolution.notes, hashes) if h is not None}
    return Model(resolution.notes, diagnostics, [relative_path(p, root) for p in files], coverage=coverage,
                 identity=resolution, lock_path=identity.lock_path, lock_error=identity.error, removed=removed,
                 project=project, digests=digests, reads=reads, source_findings=source_findings,
                 languages=languages)


Reads = dict[str, tuple[str | None, FileRead]]
"""Each file read, by path: its parse-cache key (None: unreadable) and its reading."""


def read_files(files: list[Path], root: Path, config: Config, diagnostics: Diagnostics, cache: ParseCache,
               step: Step | None = None
               ) -> tuple[list[Note], Coverage, dict[str, tuple[int, int]], dict[int, Origin], Reads]:
    """Read `files` in order (from the parse cache where it can): their notes, coverage, language
    evidence per file, render-cache origins by `id(note)`, and each file's key and reading."""
    notes: list[Note] = []
    coverage = Coverage()
    markers: dict[str, tuple[int, int]] = {}
    origins: dict[int, Origin] = {}
    reads: Reads = {}
    for done, path in enumerate(files, 1):
        key, read = read_file(path, root, config, diagnostics, cache)
        if read.groups is not None:
            origins.update(zip(map(id, read.notes), _group_origins(read.groups)))
        elif key is not None:
            origins.update((id(note), (key, index, None)) for index, note in enumerate(read.notes))
        rel = relative_path(path, root)
        reads[rel] = (key, read)
        if read.notes and all(note.source.path == rel for note in read.notes):
            markers[rel] = read.markers
        notes.extend(read.notes)
        coverage += read.coverage
        if step is not None:
            step("read", done, len(files))
    return notes, coverage, markers, origins, reads


def languages_of(notes: list[Note], config: Config, markers: dict[str, tuple[int, int]], read: list[Note]
                 ) -> dict[str, str]:
    """Each file's language (`render.file_languages`), configured or guessed from its notes."""
    from exporter.rendering.render import file_languages

    configured = {rel: config.for_source(rel).language for rel in {n.source.path for n in notes}}
    return file_languages(notes, configured, markers, read)


def render_removed(gone: list[LockEntry], root: Path) -> list[RenderedNote]:
    """The notes removed from the sources as emitted to Anki: their question, and a back saying so."""
    from exporter.rendering.render import render_notes

    # Their findings are about text no longer in the sources: not reported.
    removed = render_notes([removed_note(e) for e in gone], root, Diagnostics(), None, None, workers=1)
    return [dataclasses.replace(r, answer_html=removed_answer_html(e)) for r, e in zip(removed, gone)]


def _hashes(rendered: RenderedNote) -> tuple[str, str]:
    """What identity and the manifest hash of a rendered note, kept with it in the render cache."""
    return fingerprint(rendered, file_digest), note_digest(rendered)

