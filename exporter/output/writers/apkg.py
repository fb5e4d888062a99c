"""The Anki writer: one deterministic `.apkg` per top-level deck, via genanki.

Determinism: genanki writes the collection database with a fixed timestamp into a
temporary folder; the zip around it is assembled here (`blockzip`) with fixed entry dates,
a fixed entry order and DEFLATE (genanki would store it uncompressed and stamp the clock),
so the same deck always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mmap
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from exporter.output.writers import _genanki_shim
from exporter.output.writers.blockzip import Data, write_archive

_shim = _genanki_shim.install()
import genanki  # noqa: E402  (after the stand-in: see `_genanki_shim`)

_shim.remove()

from exporter.diagnostics import Diagnostic
from exporter.identity.resolve import guid_for
from exporter.model import Deck, MediaFile, NoteKind, RenderedNote
from exporter.output.writers import WriteOptions, atomic_output, register
from exporter.output.writers.card_style import (
    BACK_TEMPLATE,
    CLOZE_BACK_TEMPLATE,
    CLOZE_FRONT_TEMPLATE,
    FRONT_TEMPLATE,
    REVERSE_BACK_TEMPLATE,
    REVERSE_FRONT_TEMPLATE,
    STYLE_MODIFIED,
    card_css,
)
from exporter.rendering.cloze import numbers as cloze_numbers

NOTE_TYPE_NAME = "Exporter Note (v1)"
"""The note type's name; its ID is derived from it.

The note type's shape, its fields `FIELDS` (in this order) and its one card template,
is a contract with every collection that imported it: when a re-imported note's type
changed shape, Anki skips the note as "conflicting" and adds a copy of the type. Never
change the fields or the templates under this name; a new shape needs a new name
("Exporter Note (v2)"), which gives a new ID.
"""

FIELDS = ("Question", "Answer", "Context", "Source", "Kind")
"""Kind is `NoteKind.value`, used as a CSS class; Question is the sort field.

Source says where to edit the note: its file relative to the project root, the section
heading when the context does not show it already, and the source's link. It holds no
line number (it did until 2026-11): any edit above a question moved its line, so the
field, and with it the note, changed in Anki on every device at each re-import, and
"update if newer" overwrote what the user had changed in Anki. The file and the heading
stay put while the question does; the line is in `exporter dump` and in every finding.
Only the field's content changed, not the note type's shape, so the name stays v1: the
first import after the change updates every note once, in place, history kept.
"""

UNKNOWN_MODIFIED = 1_704_067_200
"""Modification time (2024-01-01) of notes whose last change is unknown: never the clock,
so an unchanged rebuild never looks newer to Anki's "update if newer" import."""

COLLECTION_ENTRY = "collection.anki2"
MEDIA_ENTRY = "media"


def stable_id(name: str) -> int:
    """An Anki ID derived from `name`, in the range genanki recommends (2**30 to 2**31)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


@dataclass(frozen=True)
class NoteTypeSpec:
    """The shape of one note type: what `note_type` builds, ID derived from the name.

    The same contract as `NOTE_TYPE_NAME` holds for every spec: a changed shape needs a new
    name. All three share the field order (the first field is the front's, the second the
    back's, then Context, Source, Kind), the card CSS and `source_html`'s Source field, so
    a change to any of those reaches every kind of note at once.
    """

    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    """(card name, front template, back template), one per card the note type makes."""
    cloze: bool = False
    """Anki's cloze kind: one card per deletion number, from the single template."""


BASIC = NoteTypeSpec(NOTE_TYPE_NAME, FIELDS, (("Card 1", FRONT_TEMPLATE, BACK_TEMPLATE),))
REVERSED = NoteTypeSpec(
    "Exporter Reversed (v1)",
    FIELDS,
    (("Card 1", FRONT_TEMPLATE, BACK_TEMPLATE), ("Card 2", REVERSE_FRONT_TEMPLATE, REVERSE_BACK_TEMPLATE)),
)
"""Two cards per note: question -> answer, answer -> question."""
CLOZE = NoteTypeSpec(
    "Exporter Cloze (v1)",
    ("Text", "Extra", *FIELDS[2:]),
    (("Cloze", CLOZE_FRONT_TEMPLATE, CLOZE_BACK_TEMPLATE),),
    cloze=True,
)
"""Built as Anki's own Cloze type (Anki never merges a cloze type with a standard one)."""


@lru_cache(maxsize=None)
def note_type(spec: NoteTypeSpec = BASIC) -> genanki.Model:
    """The genanki note type of `spec` (by default the one of questions with answers)."""
    return genanki.Model(
        stable_id(spec.name),
        spec.name,
        fields=[{"name": name} for name in spec.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in spec.templates],
        css=card_css(),
        sort_field_index=0,
        model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
    )


def spec_for(rendered: RenderedNote) -> NoteTypeSpec:
    """The note type a note is written with; a cloze note with no deletion left is a plain card.

    Anki gives a cloze note one card per deletion number, so one without any would be
    imported with no card at all; the render stage has already warned about it.
    """
    kind = rendered.note.kind
    if kind is NoteKind.CLOZE and cloze_numbers(rendered.question_html):
        return CLOZE
    if kind is NoteKind.REVERSED:
        return REVERSED
    return BASIC


def anki_tags(tags: tuple[str, ...]) -> list[str]:
    """Tags Anki accepts: no whitespace inside (it separates tags), no empties, no repeats."""
    return list(_cleaned_tags(tags))


@lru_cache(maxsize=4096)
def _cleaned_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """`anki_tags`, once per set of tags: a deck's notes share a few (a regex per tag and note was a
    third of making a 10k-note deck's rows)."""
    cleaned: list[str] = []
    for tag in tags:
        tag = re.sub(r"\s+", "_", tag.strip())
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return tuple(cleaned)


Row = list[Any]
"""One note as the `.apkg` holds it: [its (sub)deck, its note type's name, its fields, GUID, tags, time].

Plain JSON-ready values: the edit build keeps the rows of unchanged files' notes
(`exporter.build.delta`) and writes a deck from them without making its notes again; both
builds write through `package_of_rows`, so the same rows give the same bytes.
"""

SPECS = {spec.name: spec for spec in (BASIC, REVERSED, CLOZE)}


class _NoteType:
    """What `genanki.Deck.write_to_db` reads of a note to list the deck's note types: its `model`.

    A `_RowsDeck` hands genanki one of these per note type (in the order its notes first
    use them) instead of its notes, so genanki writes the deck and the note types into the
    collection's JSON exactly as for real notes; they write no row (the deck does).
    """

    __slots__ = ("model",)

    def __init__(self, model: genanki.Model) -> None:
        self.model = model

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        """Nothing: the deck's rows are inserted by `_RowsDeck` after genanki's own part."""


class _Fields:
    """The two attributes genanki's card choices read of a note (`model`, `fields`): a probe for them."""

    __slots__ = ("model", "fields")

    def __init__(self, model: genanki.Model, fields: list[str]) -> None:
        self.model = model
        self.fields = fields


def _card_ords(model: genanki.Model, fields: list[str]) -> list[int]:
    """The cards genanki gives a note of `model` with `fields`: its own choice, in its order."""
    probe = _Fields(model, fields)
    if model.model_type == genanki.Model.CLOZE:
        return [card.ord for card in genanki.Note._cloze_cards(probe)]
    return [card.ord for card in genanki.Note._front_back_cards(probe)]


_NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,-1,?,?,?,0,0,'')"
_CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'')"
"""genanki's two inserts (`genanki.Note.write_to_db`, `genanki.Card.write_to_db`) with its
constant columns written in: usn -1, csum, flags and data of a note; a new, unsuspended
card's type, queue, interval, factor, reviews, lapses, left, odue, odid, flags and data.
The values stored are the same, so the file is too (tests/writers/test_apkg_kinds.py)."""


class _RowsDeck(genanki.Deck):  # type: ignore[misc]
    """A genanki deck of `Row`s, written into the collection without a note object per row.

    genanki writes the deck and its note types into the collection's JSON (its own
    `Deck.write_to_db`, given one `_NoteType` per note type); then each row is inserted as
    `genanki.Note.write_to_db` would insert it: the note, then each of its cards, then the
    next note, with the same IDs and values. The order matters as much as the values: the
    notes' and cards' pages are allocated as both tables grow, so inserting a deck's notes
    and then its cards (one `executemany` each) gives another file. One `executemany` through
    a temporary view whose trigger inserts a note and its cards keeps the order and the
    bytes, but SQLite's trigger calls cost more than Python's `execute` calls (0.8 against
    0.6 s for 100k notes).

    What is left out per note: genanki's checks for raw `<` in fields (whose warning was
    silenced anyway) and for deprecated built-in types, and its tag list validation
    (`anki_tags` already cleaned the tags). Each note is stamped with its own modification
    time (genanki 0.13 stamps every note with the package's timestamp). Until 2026-11 each
    row became a note-like object that genanki's loop asked to write itself: a 100k-note
    collection took 0.94 s instead of 0.80 s. tests/writers/test_apkg_kinds.py compares the
    bytes with those of genanki's own decks and notes.
    """

    def __init__(self, deck_id: int, name: str, rows: list[Row]) -> None:
        super().__init__(deck_id, name)
        self.rows = rows
        """The whole package's rows (shared by its decks)."""
        self.dues: list[int] = []
        """The places in `rows` of this deck's notes, which are their due numbers. (A pair of
        due and row per note would cost 10x more to make: new objects wake the garbage collector.)"""

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, id_gen: Any) -> None:
        rows = self.rows
        models = {spec: note_type(SPECS[spec]) for spec in dict.fromkeys(rows[due][1] for due in self.dues)}
        self.notes = [_NoteType(model) for model in models.values()]
        super().write_to_db(cursor, timestamp, id_gen)
        execute = cursor.execute
        deck_id = self.deck_id
        # A front/back type's choice of cards reads only which fields are empty: genanki is
        # asked once per note type and set of empty fields (a deck has a handful), not per note.
        front_back: dict[tuple[Any, ...], list[int]] = {}
        cloze = {spec: model.model_type == genanki.Model.CLOZE for spec, model in models.items()}
        for due in self.dues:
            _, spec, fields, guid, tags, modified = rows[due]
            model = models[spec]
            note_id = next(id_gen)
            modified = int(modified)
            execute(_NOTE_INSERT, (note_id, guid, model.model_id, modified, " " + " ".join(tags) + " ",
                                   "\x1f".join(fields), fields[model.sort_field_index]))
            if cloze[spec]:
                ords = _card_ords(model, fields)
            else:
                filled = (spec, *map(bool, fields))
                if filled not in front_back:
                    front_back[filled] = _card_ords(model, fields)
                ords = front_back[filled]
            for ord_ in ords:
                execute(_CARD_INSERT, (next(id_gen), note_id, deck_id, ord_, modified, due))


def note_row(rendered: RenderedNote) -> Row:
    """The `Row` of a rendered note."""
    note = rendered.note
    return [note.deck, spec_for(rendered).name,
            [rendered.question_html, rendered.answer_html, rendered.context_html, rendered.source_html,
             note.kind.value],
            note.guid or guid_for(note.deck, note.question), anki_tags(note.tags), note.modified or UNKNOWN_MODIFIED]


def _deck_names(name: str, rows: list[Row]) -> list[str]:
    """The top-level deck, every subdeck the notes name, and every parent in between; sorted."""
    names = {name}
    for subdeck in {row[0] for row in rows}:
        parts = subdeck.split("::")
        names.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(names)


def package_of_rows(name: str, rows: list[Row]) -> genanki.Package:
    """The genanki decks (one per deck name) holding the notes of `rows` in their order (a note's
    due number is its place in `rows`)."""
    decks = {deck: _RowsDeck(stable_id(deck), deck, rows) for deck in _deck_names(name, rows)}
    for due, row in enumerate(rows):
        decks[row[0]].dues.append(due)
    return genanki.Package(list(decks.values()))


def build_package(deck: Deck) -> genanki.Package:
    """The genanki decks (one per deck name) holding the notes in their order."""
    return package_of_rows(deck.name, deck_rows(deck))


def deck_rows(deck: Deck) -> list[Row]:
    """The rows of the deck's notes, then of its removed notes (their due numbers follow on)."""
    return [note_row(rendered) for rendered in [*deck.notes, *deck.removed]]


def media_files(deck: Deck) -> list[MediaFile]:
    """Each media name once (the first file given for it), sorted by name."""
    by_name: dict[str, MediaFile] = {}
    for rendered in [*deck.notes, *deck.removed]:
        for media in rendered.media:
            by_name.setdefault(media.name, media)
    return [by_name[name] for name in sorted(by_name)]


def collection_bytes(package: genanki.Package) -> bytes:
    """The collection database genanki writes, with a fixed timestamp and fixed IDs."""
    with tempfile.TemporaryDirectory(prefix="exporter-apkg-") as folder:
        path = Path(folder) / COLLECTION_ENTRY
        _write_collection(package, path)
        return path.read_bytes()


def _write_collection(package: genanki.Package, path: Path) -> None:
    """Write the collection database of `package` to the new file `path` (see `collection_bytes`)."""
    connection = sqlite3.connect(path)
    try:
        # A scratch file read back at once: no journal file and no flush to disk per
        # statement (genanki's schema script commits one statement at a time). Neither
        # setting changes a byte of the database.
        connection.execute("PRAGMA journal_mode=MEMORY")
        connection.execute("PRAGMA synchronous=OFF")
        package.write_to_db(connection.cursor(), STYLE_MODIFIED, itertools.count(STYLE_MODIFIED * 1000))
        connection.commit()
    finally:
        connection.close()


def write_apkg(deck: Deck, target: Path) -> None:
    """Write `deck` to `target` atomically: collection, media map, then media files."""
    write_rows(deck.name, deck_rows(deck), media_files(deck), target)


def write_rows(name: str, rows: list[Row], media: list[MediaFile], target: Path) -> None:
    """Write the deck `name` of `rows` (and `media`, as `media_files` gives them) to `target` atomically."""
    media_map = json.dumps({str(i): m.name for i, m in enumerate(media)}, ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="exporter-apkg-") as folder:
        database = Path(folder) / COLLECTION_ENTRY
        _write_collection(package_of_rows(name, rows), database)
        # Mapped, not read: a 100k-note collection is 82 MB.
        with database.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as collection:
            first: list[tuple[str, Data]] = [(COLLECTION_ENTRY, collection), (MEDIA_ENTRY, media_map.encode("utf-8"))]
            entries = itertools.chain(first, ((str(index), Path(item.path).read_bytes())
                                              for index, item in enumerate(media)))
            with atomic_output(target) as tmp, tmp.open("wb") as out:
                write_archive(out, entries, target if target.exists() else None)


@register
class ApkgWriter:
    """Anki package writer, registered as format `apkg`."""

    name: ClassVar[str] = "apkg"
    extension: ClassVar[str] = "apkg"
    emits_removed: ClassVar[bool] = True
    """Removed notes go to Anki (tagged, to be deleted there); sheets only show what is in the sources."""

    def write(self, deck: Deck, target: Path, options: WriteOptions) -> list[Diagnostic]:
        write_apkg(deck, target)
        return []
