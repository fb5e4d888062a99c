"""Real Anki as the oracle: import `.apkg` files the way desktop Anki does and read the cards back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from anki.collection import Collection
from anki.import_export_pb2 import (
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportAnkiPackageUpdateCondition,
    ImportResponse,
)

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER


def import_into(col: Collection, package: Path, with_scheduling: bool = False) -> ImportResponse.Log:
    """Import `package` into an open collection with desktop Anki's default options; the import log.

    Defaults as the desktop import dialog: notes and note types updated only if newer,
    note types not merged, scheduling not imported.
    """
    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=IF_NEWER,
        update_notetypes=IF_NEWER,
        with_scheduling=with_scheduling,
    )
    response = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
    return response.log


def import_all(col: Collection, out: Path) -> dict[str, int]:
    """Import every deck of `out` like desktop Anki does; counts from Anki's own import logs.

    Anki lists a note it already has and leaves alone (not newer) under `duplicate`,
    here `unchanged`; `conflicting` would be a GUID clash with another note type.
    """
    counts = {"new": 0, "updated": 0, "unchanged": 0, "conflicting": 0}
    for package in sorted(out.glob("*.apkg")):
        log = import_into(col, package)
        counts["new"] += len(log.new)
        counts["updated"] += len(log.updated)
        counts["unchanged"] += len(log.duplicate)
        counts["conflicting"] += len(log.conflicting) + len(log.first_field_match)
    return counts


def note_with(col: Collection, text: str) -> int:
    """The id of the one note with `text` in a field."""
    found = [nid for nid in col.find_notes("") if any(text in value for value in col.get_note(nid).values())]
    assert len(found) == 1, (text, found)
    return found[0]


def reviews(col: Collection, nid: int) -> int:
    """How many reviews the cards of note `nid` have in the review log."""
    return int(col.db.scalar("select count() from revlog where cid in (select id from cards where nid = ?)", nid))


def import_apkg(package: Path, collection_path: Path) -> Collection:
    """Open (or create) the collection at `collection_path`, import `package` into it, return it open."""
    col = Collection(str(collection_path))
    import_into(col, package)
    return col


@dataclass(frozen=True)
class RenderedCard:
    """One card as Anki renders it; `*_html` without the note type's `<style>` block."""

    card_id: int
    note_id: int
    guid: str
    deck: str
    tags: tuple[str, ...]
    fields: dict[str, str]
    note_mod: int
    question_html: str
    answer_html: str

    @property
    def question_text(self) -> str:
        return html_text(self.question_html)

    @property
    def answer_text(self) -> str:
        return html_text(self.answer_html)


_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)


def rendered_cards(col: Collection) -> list[RenderedCard]:
    """Every card in the collection, rendered by Anki, in note-id then card-ordinal order."""
    cards = []
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        note = card.note()
        cards.append(
            RenderedCard(
                card_id=card.id,
                note_id=note.id,
                guid=note.guid,
                deck=col.decks.name(card.did),
                tags=tuple(note.tags),
                fields=dict(note.items()),
                note_mod=note.mod,
                question_html=_STYLE.sub("", card.question()),
                answer_html=_STYLE.sub("", card.answer()),
            )
        )
    return sorted(cards, key=lambda c: (c.note_id, c.card_id))


class _TextExtractor(HTMLParser):
    _BLOCKS = {"p", "div", "br", "hr", "li", "tr", "pre", "h1", "h2", "h3", "h4", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of `markup`: entities decoded, one line per block, blank lines dropped."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)
