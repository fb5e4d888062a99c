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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from exporter.build import Model, discover, slugify
from exporter.diagnostics import Diagnostic, Diagnostics, Level
from exporter.lock import lock_path_for, write_lock
from exporter.manifest import (
    Manifest,
    OutputRecord,
    output_inputs,
    record_for,
    toolkit_fingerprint,
)
from exporter.model import Deck
from exporter.writers import WriteOptions, Writer

Echo = Callable[[str], None]
_SETTINGS_FILES = ("exporter.toml", "pyproject.toml")


@dataclass
class Outcome:
    built: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)


def options_key(options: WriteOptions) -> dict[str, Any]:
    """The write options that can change an output (the project root is where, not what)."""
    return {"layout": options.layout, "columns": options.columns, "paper": options.paper,
            "extra": {k: repr(v) for k, v in sorted(options.extra.items())}}


def target_for(deck: Deck, writer: Writer, out_dir: Path) -> Path:
    return out_dir / f"{slugify(deck.name)}.{writer.extension}"


def write_changed(
    decks: list[Deck],
    formats: tuple[str, ...],
    writers: dict[str, Writer],
    out_dir: Path,
    options: WriteOptions,
    manifest: Manifest,
    force: bool,
    echo: Echo,
) -> Outcome:
    """Write each deck in each format unless its recorded inputs match; update `manifest` as it goes."""
    outcome = Outcome()
    key = options_key(options)
    for deck in decks:
        for fmt in formats:
            writer = writers[fmt]
            target = target_for(deck, writer, out_dir)
            inputs = output_inputs(deck, fmt, key)
            record = manifest.outputs.get(target.name)
            if not force and record is not None and record.inputs == inputs and record.matches(target):
                outcome.unchanged.append(target)
                echo(f"unchanged {target}")
                continue
            writer.write(deck, target, options)
            manifest.outputs[target.name] = record_for(target, inputs)
            outcome.built.append(target)
            echo(f"built {target} ({len(deck.notes)} notes)")
    return outcome


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


def full_key(digest: str, paths: list[Path], root: Path, use_lock: bool) -> str:
    """The request digest with the lock's current bytes: the lock is an input of identity."""
    lock_bytes = b""
    if use_lock:
        try:
            lock_bytes = lock_path_for(paths, root).read_bytes()
        except OSError:
            lock_bytes = b"\x01missing"
    return hashlib.sha256(digest.encode() + lock_bytes).hexdigest()


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


def remember(manifest: Manifest, digest: str | None, paths: list[Path], root: Path, model: Model,
             outputs: list[Path]) -> None:
    """Record the whole build so that the next identical one can be skipped.

    Called after the lock is written, so the key holds the lock this build leaves behind.
    Without a digest (discovery had findings) the old record is dropped: it no longer
    describes the outputs on disk.
    """
    if digest is None:
        manifest.quick = {}
        return
    key = full_key(digest, paths, root, model.lock_path is not None)
    media = sorted({m.path for rn in model.notes for m in rn.media})
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
        "diagnostics": [d.to_json() for d in model.diagnostics.sorted()],
    }


def save_lock(model: Model, echo: Echo) -> None:
    """Write the lock after a build; a read-only location is a warning, never a crash."""
    if model.lock_path is None or model.identity is None:
        return
    try:
        write_lock(model.lock_path, model.identity.lock)
    except OSError as exc:
        echo(f"warning: cannot write {model.lock_path}: {exc.strerror or exc}; note identities not saved")

