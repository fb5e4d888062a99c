"""The view model of a printed sheet, shared by the PDF and HTML writers.

deck -> parts (sub-decks) -> topics (note.section) -> numbered items, plus the
title-page data. Item HTML is made self-contained here: math becomes SVG and
each image points only at a media file the note itself declares.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, replace, field
from datetime import datetime, timezone
from typing import Callable

from exporter.output.mathsvg import MathRenderer, MathResult, find_math, substitute_math
from exporter.model import Deck, MediaFile, NoteKind, RenderedNote
from exporter.rendering import cloze

CARD_COLUMNS = 2
CARD_ROWS = 4
NO_TOPIC = "General"

_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC_RE = re.compile(r'\ssrc\s*=\s*("([^"]*)"|\'([^\']*)\')', re.IGNORECASE)


@dataclass(frozen=True)
class SheetItem:
    """One numbered question with its answer, HTML ready for the page."""

    number: int
    anchor: str
    kind: str
    question_html: str
    answer_html: str
    context_html: str
    source: str
    is_open: bool


@dataclass(frozen=True)
class Topic:
    title: str
    anchor: str
    items: tuple[SheetItem, ...]


@dataclass(frozen=True)
class Part:
    """A sub-deck; `label` is empty for notes filed directly in the top deck."""

    deck: str
    label: str
    anchor: str
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class CardSheet:
    """One duplex sheet: fronts in reading order, backs mirrored for a long-edge flip."""

    fronts: tuple[SheetItem | None, ...]
    backs: tuple[SheetItem | None, ...]


@dataclass(frozen=True)
class SheetDeck:
    """Everything a template needs: title-page data, contents and items."""

    name: str
    parts: tuple[Part, ...]
    sources: tuple[str, ...]
    build_date: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def items(self) -> list[SheetItem]:
        return [item for part in self.parts for topic in part.topics for item in topic.items]


@dataclass(frozen=True)
class MathProblem:
    """A formula no engine could draw; printed as plain text, reported at its source."""

    source: str
    tex: str
    error: str


def build_date(deck: Deck) -> str | None:
    """The date the sources were last changed (SOURCE_DATE_EPOCH wins); never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    stamp = int(epoch) if epoch.isdigit() else max((rn.note.modified for rn in deck.notes), default=0)
    if stamp <= 0:
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%d")


def make_sheet(
    deck: Deck,
    math: MathRenderer,
    media_url: Callable[[MediaFile], str],
    problems: list[MathProblem] | None = None,
    layout: str = "sheet",
) -> SheetDeck:
    """The deck as parts, topics and numbered items, with math drawn and images resolved.

    `layout` decides how cloze notes print (see `printed_fields`).
    """
    printed = {id(rn): printed_fields(rn, layout) for rn in deck.notes}
    results = math.render(key for rn in deck.notes for fragment in printed[id(rn)] for key in find_math(fragment))
    if problems is not None:
        for rn in deck.notes:
            question_html, answer_html = printed[id(rn)]
            for tex, display in find_math(question_html) + find_math(answer_html):
                error = results[(tex, display)].error
                if error is not None:
                    problems.append(MathProblem(str(rn.note.source), tex, error))

    grouped: dict[str, dict[str, list[RenderedNote]]] = {}
    for rn in deck.notes:
        grouped.setdefault(rn.note.deck, {}).setdefault(rn.note.section or NO_TOPIC, []).append(rn)

    number = 0
    parts: list[Part] = []
    for p, (deck_name, topics) in enumerate(grouped.items(), start=1):
        label = deck_name.split("::", 1)[1].replace("::", " › ") if "::" in deck_name else ""
        built_topics: list[Topic] = []
        for t, (title, notes) in enumerate(topics.items(), start=1):
            items: list[SheetItem] = []
            for rn in notes:
                number += 1
                items.append(_item(rn, printed[id(rn)], number, results, media_url))
            built_topics.append(Topic(title, f"topic-{p}-{t}", tuple(items)))
        if label and len(built_topics) == 1 and built_topics[0].title in (NO_TOPIC, label.rsplit(" › ", 1)[-1]):
            # A sub-deck that is its own only topic (Q&A files file "Deck - Topic - question"
            # under deck::Topic): one heading, not the same title twice.
            built_topics = [replace(built_topics[0], title="")]
        parts.append(Part(deck_name, label, f"part-{p}", tuple(built_topics)))

    all_items = [i for part in parts for topic in part.topics for i in topic.items]
    counts = {
        "notes": len(all_items),
        "answered": sum(1 for i in all_items if not i.is_open),
        "open": sum(1 for i in all_items if i.is_open),
        "topics": sum(1 for part in parts for topic in part.topics if topic.title) or len(parts),
        "sources": len(deck.source_paths),
    }
    return SheetDeck(deck.name, tuple(parts), tuple(deck.source_paths), build_date(deck), counts)


def printed_fields(rn: RenderedNote, layout: str) -> tuple[str, str]:
    """The question and answer HTML a printed layout shows of a note; every note prints once.

    A cloze note's revision-sheet entry is its text with every deletion shown and marked,
    then its Extra; in the quiz and on card fronts the deletions are blanks with their hint,
    and the answer key or the card's back shows them filled in.
    """
    if rn.note.kind is not NoteKind.CLOZE or not cloze.numbers(rn.question_html):
        return rn.question_html, rn.answer_html
    filled = cloze.shown(rn.question_html)
    if layout == "sheet":
        return filled, rn.answer_html
    return cloze.blanked(rn.question_html), filled + rn.answer_html


def _item(
    rn: RenderedNote,
    fields: tuple[str, str],
    number: int,
    results: dict[tuple[str, bool], MathResult],
    media_url: Callable[[MediaFile], str],
) -> SheetItem:
    def prepare(fragment: str) -> str:
        return resolve_images(substitute_math(fragment, results), rn.media, media_url)

    is_open = rn.note.kind is NoteKind.OPEN
    return SheetItem(
        number=number,
        anchor=f"q{number}",
        kind=rn.note.kind.value,
        question_html=prepare(fields[0]),
        answer_html=prepare(fields[1]),
        context_html=rn.context_html,
        source=str(rn.note.source),
        is_open=is_open,
    )


def resolve_images(fragment: str, media: tuple[MediaFile, ...], media_url: Callable[[MediaFile], str]) -> str:
    """Point each `<img>` at a media file the note declares; anything else becomes a placeholder.

    This is the first safety line: a source's `/etc/passwd` or `http://` never
    reaches the renderer as a URL. The PDF writer's url_fetcher is the second.
    """
    by_name = {m.name: m for m in media}

    def replace(match: re.Match[str]) -> str:
        tag = match.group(0)
        src_match = _SRC_RE.search(tag)
        src = html.unescape((src_match.group(2) or src_match.group(3) or "") if src_match else "")
        found = by_name.get(src)
        if found is None:
            return f'<span class="missing-media">{html.escape(src or "image")}</span>'
        url = html.escape(media_url(found), quote=True)
        alt_match = re.search(r'\salt\s*=\s*"([^"]*)"', tag)
        alt = f' alt="{alt_match.group(1)}"' if alt_match else ' alt=""'
        return f'<img src="{url}"{alt}>'

    return _IMG_RE.sub(replace, fragment)


def card_sheets(items: list[SheetItem], columns: int = CARD_COLUMNS, rows: int = CARD_ROWS) -> list[CardSheet]:
    """Fronts in reading order; each back row is reversed so it lands behind its front when flipped."""
    per_page = columns * rows
    sheets: list[CardSheet] = []
    for start in range(0, len(items), per_page):
        fronts: list[SheetItem | None] = list(items[start : start + per_page])
        fronts += [None] * (per_page - len(fronts))
        backs = [fronts[r * columns + (columns - 1 - c)] for r in range(rows) for c in range(columns)]
        sheets.append(CardSheet(tuple(fronts), tuple(backs)))
    return sheets
