"""Cloze and reversed notes from Markdown to real Anki: the cards Anki makes of them, and their text."""

from __future__ import annotations

import dataclasses
import io
import random
import re
import sqlite3
import warnings
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest
from anki.collection import Collection
from anki.cards import CardId

from exporter.diagnostics import Diagnostics
from exporter.identity.resolve import REMOVED_TAG
from exporter.model import Deck, MediaFile, Note, NoteKind, SourceLocation
from exporter.output.writers.apkg import (
    CLOZE,
    COLLECTION_ENTRY,
    MEDIA_ENTRY,
    NOTE_TYPE_NAME,
    REVERSED,
    SPECS,
    ApkgWriter,
    Row,
    build_package,
    collection_bytes,
    deck_rows,
    note_type,
    package_of_rows,
    stable_id,
    write_rows,
)
from exporter.output.writers.blockzip import BLOCK
from exporter.output.writers.card_style import card_css
from exporter.rendering.render import render_notes
from tests.anki_helpers import RenderedCard, html_text, import_apkg, rendered_cards
from exporter.output.writers import WriteOptions

MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def _note(kind: NoteKind, question: str, answer: str | None, guid: str, line: int) -> Note:
    return Note("Révisions", kind, question, answer, SourceLocation("notes.md", line), guid=guid)


NOTES = [
    _note(NoteKind.QA, "What does TCP guarantee?", "Ordered, reliable delivery.", "g-basic", 1),
    _note(NoteKind.REVERSED, "*chat*", "cat", "g-reversed", 3),
    _note(NoteKind.CLOZE, "{{c1::Paris}} is the capital of {{c2::France::country}}.", "Since 987.", "g-written", 5),
    _note(NoteKind.CLOZE, "The ==mitochondria== is the ==powerhouse== of the ==cell==, not `a==b==c`.", None,
          "g-highlight", 7),
    _note(NoteKind.CLOZE, r"$2^{ {{c1::10}} } = {{c2::1024::a power of two}}$ and {{c3::$\sqrt{\frac{1}{\sqrt{2}}}$}}"
          r" and ${{c4::\frac{a}{\sqrt{b}}}}$", "", "g-math", 9),
    _note(NoteKind.CLOZE, "A cloze note whose deletion went missing.", "Extra", "g-none", 11),
    _note(NoteKind.CLOZE, "```python\ndef double(x):\n    return {{c1::x * 2}}\n```", None, "g-code", 13),
    _note(NoteKind.CLOZE, r"The sum is ==$\frac{n(n+1)}{2}$== and ==$\sqrt{\frac{1}{n}}$==.", None, "g-hl-math", 15),
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Collection, Diagnostics]:
    folder = tmp_path_factory.mktemp("kinds")
    diagnostics = Diagnostics()
    rendered = render_notes(NOTES, folder, diagnostics)
    target = folder / "kinds.apkg"
    ApkgWriter().write(Deck("Révisions", rendered), target, WriteOptions(project_root=folder))
    return import_apkg(target, folder / "collection.anki2"), diagnostics


def cards_of(col: Collection, guid: str) -> list[RenderedCard]:
    cards = [card for card in rendered_cards(col) if card.guid == guid]
    return sorted(cards, key=lambda c: col.get_card(CardId(c.card_id)).ord)


def ordinals(col: Collection, guid: str) -> list[int]:
    return [col.get_card(CardId(card.card_id)).ord + 1 for card in cards_of(col, guid)]


def note_type_name(col: Collection, guid: str) -> str:
    card = cards_of(col, guid)[0]
    note_type = col.get_card(CardId(card.card_id)).note().note_type()
    assert note_type is not None
    return str(note_type["name"])


def test_each_note_gets_the_cards_of_its_kind(imported: tuple[Collection, Diagnostics]) -> None:
    col, _ = imported
    assert col.note_count() == 8
    assert ordinals(col, "g-basic") == [1]
    assert ordinals(col, "g-reversed") == [1, 2]
    assert ordinals(col, "g-written") == [1, 2]
    assert ordinals(col, "g-highlight") == [1, 2, 3]
    assert ordinals(col, "g-math") == [1, 2, 3, 4]
    assert ordinals(col, "g-code") == [1]
    assert ordinals(col, "g-hl-math") == [1, 2]
    assert col.card_count() == 1 + 2 + 2 + 3 + 4 + 1 + 1 + 2
    assert note_type_name(col, "g-basic") == NOTE_TYPE_NAME
    assert note_type_name(col, "g-reversed") == REVERSED.name
    assert note_type_name(col, "g-written") == CLOZE.name


def test_reversed_note_asks_both_ways(imported: tuple[Collection, Diagnostics]) -> None:
    col, _ = imported
    forward, backward = cards_of(col, "g-reversed")
    assert forward.question_text.splitlines()[-1] == "chat"
    assert backward.question_text.splitlines()[-1] == "cat"
    assert "chat" in backward.answer_text.splitlines()
    assert "<em>chat</em>" in backward.answer_html
    assert forward.fields["Question"] == "<p><em>chat</em></p>\n"


def test_written_cloze_keeps_numbers_hint_and_extra(imported: tuple[Collection, Diagnostics]) -> None:
    col, _ = imported
    first, second = cards_of(col, "g-written")
    assert first.fields["Text"] == "<p>{{c1::Paris}} is the capital of {{c2::France::country}}.</p>\n"
    assert first.fields["Extra"] == "<p>Since 987.</p>\n"
    assert first.question_text.splitlines()[-1] == "[...] is the capital of France."
    assert second.question_text.splitlines()[-1] == "Paris is the capital of [country]."
    assert second.answer_text.splitlines()[-3:-1] == ["Paris is the capital of France.", "Since 987."]
    assert '<span class="cloze" data-ordinal="2">France</span>' in second.answer_html


def test_highlights_become_numbered_deletions_but_code_keeps_its_equals(
    imported: tuple[Collection, Diagnostics],
) -> None:
    col, _ = imported
    cards = cards_of(col, "g-highlight")
    assert cards[0].fields["Text"] == (
        "<p>The {{c1::mitochondria}} is the {{c2::powerhouse}} of the {{c3::cell}}, not <code>a==b==c</code>.</p>\n"
    )
    assert cards[0].fields["Extra"] == ""
    assert [c.question_text.splitlines()[-1] for c in cards] == [
        "The [...] is the powerhouse of the cell, not a==b==c.",
        "The mitochondria is the [...] of the cell, not a==b==c.",
        "The mitochondria is the powerhouse of the [...], not a==b==c.",
    ]


def test_deletions_inside_math_leave_formulas_mathjax_can_read(imported: tuple[Collection, Diagnostics]) -> None:
    """Every formula of every side, as Anki hands it to MathJax: braces balanced, no cloze markup left."""
    col, _ = imported
    cards = cards_of(col, "g-math")
    for card in [*cards, *cards_of(col, "g-hl-math")]:
        for side in (card.question_html, card.answer_html):
            formulas = [inline or display for inline, display in MATH.findall(side)]
            assert formulas  # a formula wholly hidden is out of sight, in `data-cloze`
            for tex in formulas:
                assert not re.search(r"c\d::", tex), tex
                assert tex.count("{") == tex.count("}"), tex
    first, second, third, fourth = cards
    assert r"2^{ [...] } = 1024" in first.question_html
    assert r"2^{ 10 } = [a power of two]" in second.question_html
    assert '<span class="cloze" data-cloze=' in third.question_html  # the whole formula hidden
    assert r"\sqrt{\frac{1}{\sqrt{2} } }" in third.answer_html
    assert r"\([...]\)" in fourth.question_html
    assert r"\frac{a}{\sqrt{b} }" in fourth.answer_html
    first_highlight, second_highlight = cards_of(col, "g-hl-math")
    assert r"\sqrt{\frac{1}{n} }" in first_highlight.question_html  # the other deletion, shown, Anki-safe
    assert r"\frac{n(n+1)}{2}" in second_highlight.question_html


def test_deletion_in_highlighted_code_is_hidden_and_revealed_whole(imported: tuple[Collection, Diagnostics]) -> None:
    col, _ = imported
    [card] = cards_of(col, "g-code")
    assert card.question_text.splitlines()[-2:] == ["def double(x):", "return [...]"]
    assert card.answer_text.splitlines()[-3:-1] == ["def double(x):", "return x * 2"]  # then the source
    assert '<span class="cloze" data-ordinal="1"><span class="n">x</span>' in card.answer_html


def test_a_cloze_note_without_deletion_is_a_plain_card_and_said(imported: tuple[Collection, Diagnostics]) -> None:
    col, diagnostics = imported
    assert ordinals(col, "g-none") == [1]
    assert note_type_name(col, "g-none") == NOTE_TYPE_NAME
    [card] = cards_of(col, "g-none")
    assert "A cloze note whose deletion went missing." in card.question_text
    assert "Extra" in card.answer_text.splitlines()
    assert [(d.path, d.line, d.code) for d in diagnostics.items] == [("notes.md", 11, "cloze")]


def test_note_types_are_built_like_ankis_own(imported: tuple[Collection, Diagnostics]) -> None:
    col, _ = imported
    by_name = {model["name"]: model for model in col.models.all()}
    cloze, reversed_, basic = by_name[CLOZE.name], by_name[REVERSED.name], by_name[NOTE_TYPE_NAME]
    assert cloze["type"] == 1 and reversed_["type"] == 0 and basic["type"] == 0
    assert [f["name"] for f in cloze["flds"]] == ["Text", "Extra", "Context", "Source", "Kind"]
    [template] = cloze["tmpls"]
    assert "{{cloze:Text}}" in template["qfmt"] and "{{cloze:Text}}" in template["afmt"]
    assert [t["name"] for t in reversed_["tmpls"]] == ["Card 1", "Card 2"]
    assert {cloze["id"], reversed_["id"], basic["id"]} == {stable_id(CLOZE.name), stable_id(REVERSED.name),
                                                            stable_id(NOTE_TYPE_NAME)}
    for model in (cloze, reversed_):
        assert model["css"] == basic["css"] == card_css()
    assert ".nightMode .card" in card_css() and "var(--cloze)" in card_css()


def test_cloze_in_a_deck_with_others_imports_twice_without_duplicates(tmp_path: Path) -> None:
    """Re-importing the same package updates in place: the cloze type is matched, not copied."""
    diagnostics = Diagnostics()
    rendered = render_notes(NOTES, tmp_path, diagnostics)
    target = tmp_path / "kinds.apkg"
    ApkgWriter().write(Deck("Révisions", rendered), target, WriteOptions(project_root=tmp_path))
    col = import_apkg(target, tmp_path / "collection.anki2")
    col.close()
    col = import_apkg(target, tmp_path / "collection.anki2")
    assert col.note_count() == 8
    assert sorted(m["name"] for m in col.models.all() if m["name"].startswith("Exporter")) == sorted(
        [NOTE_TYPE_NAME, CLOZE.name, REVERSED.name]
    )
    assert html_text(cards_of(col, "g-written")[0].question_html).endswith("[...] is the capital of France.")
    col.close()


class _GenankiNote(genanki.Note):  # type: ignore[misc]
    """genanki's own note, stamped with the note's time: what the writer wrote until 2026-11."""

    def __init__(self, modified: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.modified = modified

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.modified, deck_id, id_gen)


def _with_genanki_notes(name: str, rows: list[Row]) -> genanki.Package:
    """The package of `rows` as genanki itself writes it: its own decks (the ones the writer lists) and its
    own notes, one `genanki.Note` per row, a note's due number its place in `rows`."""
    decks = {deck.name: genanki.Deck(deck.deck_id, deck.name) for deck in package_of_rows(name, rows).decks}
    for due, (subdeck, spec, fields, guid, tags, modified) in enumerate(rows):
        decks[subdeck].add_note(_GenankiNote(modified, model=note_type(SPECS[spec]), fields=fields, tags=tags,
                                             guid=guid, due=due))
    return genanki.Package(list(decks.values()))


def _genanki_collection(name: str, rows: list[Row]) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # genanki's warning about `<` in fields
        return collection_bytes(_with_genanki_notes(name, rows))


def _every_kind_of_row(tmp_path: Path, copies: int) -> list[Row]:
    """Rows of every note kind and type (a reversed one with a single card too), in the top deck, a
    subdeck and a deeper one (whose parent has notes, and one whose parent has none), interleaved,
    with tags, removed notes last; `copies` times over under new GUIDs, so the tables span many pages."""
    rendered = render_notes(NOTES, tmp_path, Diagnostics())
    decks = ["Révisions", "Révisions::Sub", "Révisions::Sub::Deep", "Révisions::Empty::Leaf"]
    kept = [dataclasses.replace(r, note=dataclasses.replace(r.note, deck=decks[i % len(decks)],
                                                           guid=f"{r.note.guid}-{i}", modified=1_750_000_000 + i,
                                                           tags=("a", "b_c")[: i % 3]))
            for i, r in enumerate([*rendered, *rendered])]
    removed = [dataclasses.replace(r, note=dataclasses.replace(r.note, deck=deck, guid=f"{r.note.guid}-gone",
                                                              tags=(REMOVED_TAG,)))
               for r, deck in zip(rendered[:3], decks)]
    one = deck_rows(Deck("Révisions", kept, removed))
    assert {row[1] for row in one} == {NOTE_TYPE_NAME, REVERSED.name, CLOZE.name}
    reversed_row = next(row for row in one if row[1] == REVERSED.name)
    question, _, _, source, _ = reversed_row[2]
    one.insert(1, [reversed_row[0], REVERSED.name, [question, "", "", source, ""], "g-one-way", reversed_row[4],
                   reversed_row[5]])  # no answer, context or kind: genanki makes the first card only
    return [[*row[:3], f"{row[3]}-{copy}", *row[4:]] for copy in range(copies) for row in one]


def test_collection_is_byte_identical_to_the_one_genanki_notes_write(tmp_path: Path) -> None:
    """The writer inserts the rows itself (an object per note was 0.15 s of a 100k collection's 0.95 s);
    the database must stay the very one genanki's decks and notes give, for every kind and subdeck."""
    rows = _every_kind_of_row(tmp_path, 40)
    expected = _genanki_collection("Révisions", rows)
    assert collection_bytes(package_of_rows("Révisions", rows)) == expected
    assert len(expected) > 100 * 4096
    deck = Deck("Révisions", render_notes(NOTES, tmp_path, Diagnostics()))
    assert collection_bytes(build_package(deck)) == _genanki_collection("Révisions", deck_rows(deck))


def _zipped_whole(entries: list[tuple[str, bytes]]) -> bytes:
    """The `.apkg` as the writer zipped it until 2026-11: each entry's bytes at once through `writestr`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


@pytest.mark.parametrize("notes", [6, 250])
def test_apkg_holds_the_collection_genanki_notes_write(tmp_path: Path, notes: int) -> None:
    """The `.apkg` holds, byte for byte, the collection genanki's notes write and the media files; a
    collection of one block (the shipped decks) is the very zip the writer made with `zipfile` until
    2026-11, a bigger one is compressed in blocks (`blockzip`) that any zip reader inflates."""
    rows = _every_kind_of_row(tmp_path, notes)
    pixels = random.Random(7).randbytes(3 << 20)  # 3 MiB that do not compress
    image = tmp_path / "figure.png"
    image.write_bytes(pixels)
    media = [MediaFile("figure.png", str(image))]
    target = tmp_path / "deck.apkg"
    write_rows("Révisions", rows, media, target)
    collection = _genanki_collection("Révisions", rows)
    entries = [(COLLECTION_ENTRY, collection), (MEDIA_ENTRY, b'{"0": "figure.png"}'), ("0", pixels)]
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert [(info.filename, archive.read(info)) for info in archive.infolist()] == entries
    assert (len(collection) <= BLOCK) == (notes == 6)
    if len(collection) <= BLOCK:
        assert target.read_bytes() == _zipped_whole(entries)


def test_a_deck_of_many_blocks_rewritten_after_an_edit_imports_into_anki(tmp_path: Path) -> None:
    """A collection over 1 MiB is zipped in blocks and a rewrite copies the unchanged ones from the last
    `.apkg` (`blockzip`): Anki must import it whole, with the edited answer."""
    rows = _every_kind_of_row(tmp_path, 250)
    target = tmp_path / "deck.apkg"
    write_rows("Révisions", rows, [], target)
    live = next(row for row in rows if row[1] == NOTE_TYPE_NAME and REMOVED_TAG not in row[4])
    live[2] = [*live[2]]  # (the copies share their fields)
    live[2][1] += "<p>An answer edited since.</p>"
    write_rows("Révisions", rows, [], target)
    with zipfile.ZipFile(target) as archive:
        assert archive.comment.count(b"\n") > 2  # several blocks
        assert archive.read(COLLECTION_ENTRY) == _genanki_collection("Révisions", rows)
    col = import_apkg(target, tmp_path / "collection.anki2")
    try:
        assert col.note_count() == len(rows)
        edited = col.find_notes('"An answer edited since."')
        assert len(edited) == 1 and col.get_note(edited[0]).guid == live[3]
    finally:
        col.close()
