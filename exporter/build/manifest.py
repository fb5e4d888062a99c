"""The build manifest: what each output in `dist/` was built from, to skip unchanged ones.

Per output it keeps the hash of its inputs (the rendered notes with their GUIDs and
modification times, the media they pack, the write options, the toolkit's code and
templates) and the size and mtime the file had when written, so an output that was
deleted or touched by hand is rebuilt too. A second, coarser record (`quick`) hashes
the raw inputs of the whole last build, so a build with nothing changed can stop before
reading and rendering anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import exporter
from exporter.identity.lock import file_mode
from exporter.model import Deck, Note, RenderedNote

MANIFEST_NAME = ".exporter-manifest.json"
MANIFEST_VERSION = 1
_TOOLKIT_SUFFIXES = (".py", ".html", ".j2", ".jinja", ".css", ".svg", ".ttf", ".woff", ".woff2")


@dataclass(frozen=True)
class OutputRecord:
    inputs: str
    """Hash of everything the output was built from."""
    size: int
    mtime_ns: int

    def matches(self, target: Path) -> bool:
        """True when the file on disk is still the one this record describes."""
        try:
            stat = target.stat()
        except OSError:
            return False
        return stat.st_size == self.size and stat.st_mtime_ns == self.mtime_ns


@dataclass
class Manifest:
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    """Output file name (inside the output folder) -> its record."""
    quick: dict[str, Any] = field(default_factory=dict)
    """The last build's raw-input key, outputs, media files and messages (see `incremental`)."""

    def to_json(self) -> str:
        outputs = {name: asdict(record) for name, record in sorted(self.outputs.items())}
        data = {"version": MANIFEST_VERSION, "outputs": outputs, "quick": self.quick}
        # One line, no indent: with `indent` the json module falls back to its pure-Python
        # encoder, 10 ms instead of 4 in a one-answer rebuild at 10k notes (the last build's
        # messages are kept here, thousands of them); sorted keys keep the bytes stable.
        return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


def read_manifest(out_dir: Path) -> Manifest:
    """The manifest of `out_dir`; an absent or unreadable one is empty (everything gets built)."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return Manifest()
        outputs = {name: OutputRecord(**record) for name, record in data["outputs"].items()}
        quick = data.get("quick") or {}
        return Manifest(outputs, quick if isinstance(quick, dict) else {})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Manifest()


def write_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically; leave it untouched when nothing in it changed."""
    path = out_dir / MANIFEST_NAME
    data = manifest.to_json().encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, file_mode(path))
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def record_for(target: Path, inputs: str) -> OutputRecord:
    stat = target.stat()
    return OutputRecord(inputs, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """The toolkit's version plus a hash of its code and templates.

    The version alone would miss a changed template or writer between releases
    (or in a development checkout), and reading the package's few files is cheap.
    """
    package = Path(exporter.__file__).parent
    digest = hashlib.sha256(exporter.__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in _TOOLKIT_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_digest(path: Path | str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


_PLAIN_FIELDS = tuple(f.name for f in fields(Note) if f.name not in ("kind", "source"))


def note_inputs(rendered: RenderedNote) -> list[Any]:
    """Everything about one note a writer can see, media by content, as a flat JSON-ready list.

    Every field of the note in declaration order (a new field is an input by itself), its
    HTML and its media; no dicts to sort, so hashing a deck costs little next to writing it.
    """
    note = rendered.note
    return [
        [getattr(note, name) for name in _PLAIN_FIELDS],
        note.kind.value,
        note.source.path,
        note.source.line,
        [rendered.question_html, rendered.answer_html, rendered.context_html, rendered.source_html],
        [[m.name, file_digest(m.path)] for m in rendered.media],
    ]


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode
_GUID_AT = _PLAIN_FIELDS.index("guid")
_MODIFIED_AT = _PLAIN_FIELDS.index("modified")


def note_digest(rendered: RenderedNote) -> str:
    """The hash of `note_inputs` and the note's language, identity (GUID, time) left out.

    It depends only on the note as read and rendered, so the render cache keeps it with
    the note's fields, and an unchanged note costs no hashing in a rebuild; `output_inputs`
    adds the GUID and time, which identity gives afresh in every build.
    """
    inputs = note_inputs(rendered)
    plain = inputs[0]
    plain[_GUID_AT], plain[_MODIFIED_AT] = "", 0
    inputs.append(rendered.language)
    return hashlib.sha256(_ENCODE(inputs).encode("utf-8")).hexdigest()[:32]


Digests = Mapping[int, tuple[RenderedNote, str]]
"""Known `note_digest`s by `id()` of the note, with the note itself: an id is only an object's while it lives."""


def output_inputs(deck: Deck, writer: str, options: dict[str, Any], digests: Digests | None = None) -> str:
    """The input hash of one output: deck, notes, writer, options, toolkit.

    `digests` gives the `note_digest` of notes already known (see
    `exporter.build.pipeline.Model.digests`); the others are hashed here.
    """
    known = digests or {}
    texts = []
    # Removed notes are emitted too, so they are inputs of the deck, after their own marker.
    for marker, notes in ((LIVE_MARK, deck.notes), (REMOVED_MARK, deck.removed)):
        parts = []
        for rendered in notes:
            found = known.get(id(rendered))
            note_hash = found[1] if found is not None and found[0] is rendered else note_digest(rendered)
            parts.append(note_part(marker, note_hash, rendered.note))
        texts.append("".join(parts))
    return inputs_of_parts(deck.name, writer, options, *texts)


LIVE_MARK = "\x1e"
REMOVED_MARK = "\x1d"


def note_part(marker: str, note_hash: str, note: Note) -> str:
    """What one note adds to its deck's input hash: its `note_digest` and its identity."""
    return f"{marker}{note_hash}\x1f{note.guid}\x1f{note.modified}"


def inputs_of_parts(name: str, writer: str, options: dict[str, Any], live: str, removed: str) -> str:
    """`output_inputs` of the deck `name` from the `note_part`s of its notes and of its removed notes,
    joined: the edit build (`exporter.build.delta`) keeps them per source file."""
    head = {"toolkit": toolkit_fingerprint(), "writer": writer, "options": options, "deck": name}
    digest = hashlib.sha256(json.dumps(head, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    digest.update(live.encode("utf-8"))
    digest.update(removed.encode("utf-8"))
    return digest.hexdigest()
