"""Open-question lists: `**N. Title**` then the question text, under `###` sections, no answers.

    ### Comprendre les bases

    **1. Les modèles pré-entraînés**

    Pourquoi est-il utile d'utiliser un modèle pré-entraîné ?

A list of questions to think about: each becomes an open note (no answer
written yet; `--skip-open` leaves them out) whose front is the title in bold
and the text under it. It takes a file's free lines only when they hold at
least three such titles and no answer label, so a numbered list of answered
questions is never mistaken for one. Lines are read as written because the
quirks are line-shaped: a title directly followed by its text without a blank
line, lines holding only spaces, a stray `**` closing the last question (removed
and reported). A first line `GDocs : https://...` (or `Source :`, `Lien :`,
`Link :`) is the notes' link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.inline import tag_slug
from exporter.reading.layout import LineKind

_TITLE = re.compile(r"^[ \t]*\*\*[ \t]*(\d+)[ \t]*[.)](.*)$")
_LINK = re.compile(r"^[ \t]*(?i:GDocs|Google Docs|Source|Lien|Link)[ \t]*:[ \t]*(https?://\S+)[ \t]*$")
_ANSWER = re.compile(r"^\s*+(?:\*\*)?[ \t]*+(?i:R[ée]ponse|Answer|Question)[ \t]*+(?:\*\*)?[ \t]*+:")
_MIN_TITLES = 3
_ANY_TITLE = re.compile(r"^[ \t]*\*\*[ \t]*\d", re.MULTILINE)


def _title(line: str) -> str | None:
    """`**3. Title**` -> `Title`; None for any other line."""
    found = _TITLE.match(line)
    if found is None:
        return None
    rest = found.group(2).rstrip()
    if not rest.endswith("**"):
        return None
    title = rest[:-2].strip()
    return title or None


class OpenList:
    name: ClassVar[str] = "open-list"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        if "**" not in doc.source.text or len(_ANY_TITLE.findall(doc.source.text)) < _MIN_TITLES:
            return
        kinds = doc.layout.kinds
        free_text = [i for i, kind in enumerate(kinds) if kind is LineKind.TEXT and not reading.claimed[i]]
        titles = [i for i in free_text if _title(doc.lines[i]) is not None]
        if len(titles) < _MIN_TITLES or any(_ANSWER.match(doc.lines[i]) for i in free_text):
            return
        link: str | None = None
        for index in free_text:
            found = _LINK.match(doc.lines[index])
            if found:
                link = found.group(1)
                yield Claim.of(index, index + 1)
                break
        stops = {b.start for b in doc.outline} | doc.comment_starts()
        for position, start in enumerate(titles):
            limit = titles[position + 1] if position + 1 < len(titles) else len(doc.lines)
            end = next((i for i in range(start + 1, limit) if i in stops or reading.claimed[i]), limit)
            title = _title(doc.lines[start])
            assert title is not None
            body = _clean_body(doc.lines[start + 1 : end], reading, start + 1)
            if not body:
                reading.diagnostics.warning(doc.path, start + 1, "empty-question", "question title without question text")
            headings = [h for h in doc.trail(start) if h is not doc.title]
            section = doc.heading_name(headings[-1]) if headings else ""
            tag = tag_slug(section)
            context = (" > ".join(p for p in (doc.deck, section) if p), section, (tag,) if tag else ())
            question = f"**{title}**\n\n{body}" if body else f"**{title}**"
            yield Claim.of(start, end, reading.note(NoteKind.OPEN, question, None, start, context=context, link=link))


def _clean_body(lines: list[str], reading: Reading, first_line: int) -> str:
    """The question text as written, without surrounding blank lines or a stray closing `**`."""
    kept = ["" if not line.strip() else line for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    last_line = first_line + len(kept) - 1
    while kept and not kept[0]:
        kept.pop(0)
    body = "\n".join(kept).rstrip()
    if body.endswith("**") and body.count("**") % 2 == 1:
        body = body[:-2].rstrip()
        reading.diagnostics.info(reading.doc.path, last_line + 1, "junk", "removed a stray `**` at the end of the question")
    return body
