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
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from exporter.output.writers import _genanki_shim
from exporter.output.writers.blockzip import write_archive

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


class _NoteRows:
    """One note as the rows genanki would insert for it, without building a `genanki.Note`.

    `genanki.Deck.write_to_db` only asks a note for its `model` and its `write_to_db`;
    this writes the same two statements (the note, then each card) with the same values
    in the same order, so the database is byte for byte the one `genanki.Note` gives
    (tests/writers/test_apkg_kinds.py compares them). What it leaves out per note was a
    third of building a 4000-note deck's collection (92 -> 63 ms): genanki's checks for
    raw `<` in fields (whose warning was silenced anyway) and for deprecated built-in
    types, and its tag list validation (`anki_tags` already cleaned the tags). It also stamps the note's own
    modification time: genanki 0.13 stamps every note with the package's timestamp.
    """

    __slots__ = ("model", "fields", "guid", "tags", "modified", "due")

    def __init__(self, model: genanki.Model, fields: list[str], guid: str, tags: list[str], modified: int,
                 due: int) -> None:
        self.model = model
        self.fields = fields
        self.guid = guid
        self.tags = tags
        self.modified = modified
        self.due = due

    def card_ords(self) -> list[int]:
        """genanki's own choice of cards (its methods only read `model` and `fields`).

        A front/back type's choice reads only which fields are empty: it is remembered per
        note type and set of empty fields (a deck has a handful), not asked of genanki per note.
        """
        if self.model.model_type == genanki.Model.CLOZE:
            return [card.ord for card in genanki.Note._cloze_cards(self)]
        return _front_back_ords(self.model, tuple(map(bool, self.fields)))

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        _ = timestamp  # the note's own time is written instead
        modified = int(self.modified)
        cursor.execute("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", (
            next(id_gen), self.guid, self.model.model_id, modified, -1, " " + " ".join(self.tags) + " ",
            "\x1f".join(self.fields), self.fields[self.model.sort_field_index], 0, 0, ""))
        note_id = cursor.lastrowid
        for ord_ in self.card_ords():
            cursor.execute("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", (
                next(id_gen), note_id, deck_id, ord_, modified, -1, 0, 0, self.due, 0, 0, 0, 0, 0, 0, 0, 0, ""))


@lru_cache(maxsize=256)
def _front_back_ords(model: genanki.Model, filled: tuple[bool, ...]) -> list[int]:
    """The cards genanki gives a note of front/back type `model` whose fields are non-empty where `filled` says."""
    probe = _NoteRows(model, ["x" if full else "" for full in filled], "", [], 0, 0)
    return [card.ord for card in genanki.Note._front_back_cards(probe)]


Row = list[Any]
"""One note as the `.apkg` holds it: [its (sub)deck, its note type's name, its fields, GUID, tags, time].

Plain JSON-ready values: the edit build keeps the rows of unchanged files' notes
(`exporter.build.delta`) and writes a deck from them without making its notes again; both
builds write through `package_of_rows`, so the same rows give the same bytes.
"""

SPECS = {spec.name: spec for spec in (BASIC, REVERSED, CLOZE)}


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
    decks = {deck: genanki.Deck(stable_id(deck), deck) for deck in _deck_names(name, rows)}
    for due, (subdeck, spec, fields, guid, tags, modified) in enumerate(rows):
        decks[subdeck].add_note(_NoteRows(note_type(SPECS[spec]), fields, guid, tags, modified, due))
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
        return path.read_bytes()


def write_apkg(deck: Deck, target: Path) -> None:
    """Write `deck` to `target` atomically: collection, media map, then media files."""
    write_rows(deck.name, deck_rows(deck), media_files(deck), target)


def write_rows(name: str, rows: list[Row], media: list[MediaFile], target: Path) -> None:
    """Write the deck `name` of `rows` (and `media`, as `media_files` gives them) to `target` atomically."""
    database = collection_bytes(package_of_rows(name, rows))
    media_map = json.dumps({str(i): m.name for i, m in enumerate(media)}, ensure_ascii=False)
    entries = itertools.chain([(COLLECTION_ENTRY, database), (MEDIA_ENTRY, media_map.encode("utf-8"))],
                              ((str(index), Path(item.path).read_bytes()) for index, item in enumerate(media)))
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
