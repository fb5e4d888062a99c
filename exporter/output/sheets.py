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

from exporter.language import label, majority
from exporter.output.mathsvg import MathRenderer, MathResult, find_math, substitute_math
from exporter.rendering.media import file_name
from exporter.model import Deck, MediaFile, NoteKind, RenderedNote
from exporter.rendering import cloze

_IMG_RE = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)  # [^<>]: linear when no ">" follows
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
    wide: bool = False
    """Too wide for one column of a two-column sheet: printed across both."""


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
class SheetDeck:
    """Everything a template needs: title-page data, contents and items."""

    name: str
    parts: tuple[Part, ...]
    sources: tuple[str, ...]
    build_date: str | None
    counts: dict[str, int] = field(default_factory=dict)
    language: str = "en"
    """The language of the labels the sheet prints: the one most of its notes are in."""

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

    language = majority(rn.language for rn in deck.notes)
    no_topic = label(language, "general")
    grouped: dict[str, dict[str, list[RenderedNote]]] = {}
    for rn in deck.notes:
        grouped.setdefault(rn.note.deck, {}).setdefault(rn.note.section or no_topic, []).append(rn)

    number = 0
    parts: list[Part] = []
    for p, (deck_name, topics) in enumerate(grouped.items(), start=1):
        part_label = deck_name.split("::", 1)[1].replace("::", " › ") if "::" in deck_name else ""
        built_topics: list[Topic] = []
        for t, (title, notes) in enumerate(topics.items(), start=1):
            items: list[SheetItem] = []
            for rn in notes:
                number += 1
                items.append(_item(rn, printed[id(rn)], number, results, media_url))
            built_topics.append(Topic(title, f"topic-{p}-{t}", tuple(items)))
        if part_label and len(built_topics) == 1 and built_topics[0].title in (no_topic, part_label.rsplit(" › ", 1)[-1]):
            # A sub-deck that is its own only topic (Q&A files file "Deck - Topic - question"
            # under deck::Topic): one heading, not the same title twice.
            built_topics = [replace(built_topics[0], title="")]
        parts.append(Part(deck_name, part_label, f"part-{p}", tuple(built_topics)))

    all_items = [i for part in parts for topic in part.topics for i in topic.items]
    counts = {
        "notes": len(all_items),
        "answered": sum(1 for i in all_items if not i.is_open),
        "open": sum(1 for i in all_items if i.is_open),
        "topics": sum(1 for part in parts for topic in part.topics if topic.title) or len(parts),
        "sources": len(deck.source_paths),
    }
    return SheetDeck(deck.name, tuple(parts), tuple(deck.source_paths), build_date(deck), counts, language)


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
    missing = label(rn.language, "missing_image", name="")

    def prepare(fragment: str) -> str:
        return resolve_images(substitute_math(fragment, results), rn.media, media_url, missing)

    return SheetItem(
        number=number,
        anchor=f"q{number}",
        kind=rn.note.kind.value,
        question_html=prepare(fields[0]),
        answer_html=prepare(fields[1]),
        context_html=rn.context_html,
        source=str(rn.note.source),
        is_open=rn.note.kind is NoteKind.OPEN,
    )


def resolve_images(
    fragment: str, media: tuple[MediaFile, ...], media_url: Callable[[MediaFile], str], missing: str = "missing image: "
) -> str:
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
            return f'<span class="missing-media">{html.escape(missing + (file_name(src) or "image"))}</span>'
        url = html.escape(media_url(found), quote=True)
        alt_match = re.search(r'\salt\s*=\s*"([^"]*)"', tag)
        alt = f' alt="{alt_match.group(1)}"' if alt_match else ' alt=""'
        return f'<img src="{url}"{alt}>'

    return _IMG_RE.sub(replace, fragment)


@dataclass(frozen=True)
class Entry:
    """One thing printed in the flow of a sheet: a part heading, a topic heading or an item."""

    kind: str
    """"part", "topic" or "item"."""
    part: Part
    topic: Topic | None = None
    item: SheetItem | None = None


@dataclass(frozen=True)
class Run:
    """Consecutive entries printed alike: in the columns, or across the page when `wide`.

    A two-column sheet is a sequence of two-column blocks with full-width blocks between
    them, rather than one multi-column block whose wide items span it: WeasyPrint loses the
    rest of a spanning element cut at a page's bottom, and a page-wide block here simply
    breaks across pages like any other.
    """

    wide: bool
    entries: tuple[Entry, ...]


def runs(sheet: SheetDeck) -> list[Run]:
    """The sheet's headings and items, grouped into runs; a heading goes with the item after it."""
    entries: list[Entry] = []
    for part in sheet.parts:
        if part.label:
            entries.append(Entry("part", part))
        for topic in part.topics:
            if topic.title:
                entries.append(Entry("topic", part, topic))
            entries.extend(Entry("item", part, topic, item) for item in topic.items)
    grouped: list[Run] = []
    pending: list[Entry] = []
    for entry in entries:
        pending.append(entry)
        if entry.item is None:
            continue  # headings wait for the item they introduce
        if grouped and grouped[-1].wide == entry.item.wide:
            grouped[-1] = Run(entry.item.wide, grouped[-1].entries + tuple(pending))
        else:
            grouped.append(Run(entry.item.wide, tuple(pending)))
        pending = []
    if pending:
        grouped.append(Run(False, tuple(pending)))
    return grouped


def item_runs(items: list[SheetItem]) -> list[tuple[bool, list[SheetItem]]]:
    """Items grouped into runs of the same width, for the quiz's answer key."""
    grouped: list[tuple[bool, list[SheetItem]]] = []
    for item in items:
        if grouped and grouped[-1][0] == item.wide:
            grouped[-1][1].append(item)
        else:
            grouped.append((item.wide, [item]))
    return grouped
