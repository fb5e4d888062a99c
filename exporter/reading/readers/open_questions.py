"""Question lists without answers: `**N. Title**` then the question text, under `###` sections.

Such a file is a list of questions to think about, so each becomes an `open` note
whose answer is None; the writers say plainly that no answer is written yet.
The file is read line by line rather than through markdown-it because its
quirks are line-shaped: a title directly followed by its text without a blank
line, lines holding only spaces, a stray `**` closing the last question.
"""

from __future__ import annotations

import re
from typing import ClassVar

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.readers import SourceFile, register
from exporter.reading.readers.structure import deck_from_path, tag_slug, trim_time_note

_TITLE = re.compile(r"^\s*\*\*\s*(\d+)\s*[.)]\s*(.+?)\s*\*\*\s*$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_LINK = re.compile(r"^\s*(?:GDocs|Google Docs|Source|Lien|Link)\s*:\s*(https?://\S+)\s*$", re.IGNORECASE)
# Lines that mean the file does give answers, so it belongs to another reader.
_ANSWER = re.compile(r"^\s*(?:\*\*)?\s*(?:R[ée]ponse|Answer|Question)\s*(?:\*\*)?\s*:", re.IGNORECASE)
_MIN_TITLES = 3


@register
class OpenQuestionsReader:
    name: ClassVar[str] = "open-questions"

    def detect(self, source: SourceFile) -> float:
        titles = answers = 0
        for line in _outside_fences(source.lines):
            titles += bool(_TITLE.match(line))
            answers += bool(_ANSWER.match(line))
        return 0.8 if titles >= _MIN_TITLES and answers == 0 else 0.0

    def read(self, source: SourceFile, diagnostics: Diagnostics) -> list[Note]:
        deck = source.deck or deck_from_path(source.path)
        link: str | None = None
        section = ""
        questions: list[tuple[int, str, list[str], str]] = []  # (line, title line, text lines, section)
        for number, line in _numbered_outside_fences(source.lines):
            if link is None and (found := _LINK.match(line)):
                link = found.group(1)
                continue
            if heading := _HEADING.match(line):
                section = trim_time_note(heading.group(2))
                questions.append((0, "", [], section))  # closes the previous question
                continue
            if numbered_title := _TITLE.match(line):
                # The author's own number is dropped, like `Q12.` in numbered files: decks
                # and sheets number (or shuffle) questions themselves.
                questions.append((number, f"**{numbered_title.group(2)}**", [], section))
            elif questions and questions[-1][0]:
                questions[-1][2].append(line)
        notes = []
        for number, title, text, section_name in questions:
            if not number:
                continue
            body = _clean_body(text, source.path, number, diagnostics)
            if not body:
                diagnostics.warning(source.path, number, "empty-question", "question title without question text")
            notes.append(
                Note(
                    deck=deck,
                    kind=NoteKind.OPEN,
                    question=f"{title}\n\n{body}" if body else title,
                    answer=None,
                    source=SourceLocation(source.path, number),
                    tags=(tag_slug(section_name),) if tag_slug(section_name) else (),
                    context=" > ".join(p for p in (deck, section_name) if p),
                    section=section_name,
                    link=link,
                )
            )
        if not notes:
            diagnostics.warning(source.path, 0, "no-questions", "no `**N. Title**` questions found")
        return notes


def _clean_body(lines: list[str], path: str, title_line: int, diagnostics: Diagnostics) -> str:
    """The question text as written, without surrounding blank lines or a stray closing `**`."""
    kept = ["" if not line.strip() else line for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    last_line = title_line + len(kept)
    while kept and not kept[0]:
        kept.pop(0)
    body = "\n".join(kept).rstrip()
    if body.endswith("**") and body.count("**") % 2 == 1:
        body = body[:-2].rstrip()
        diagnostics.info(path, last_line, "junk", "removed a stray `**` at the end of the question")
    return body


def _outside_fences(lines: list[str]) -> list[str]:
    return [line for _, line in _numbered_outside_fences(lines)]


def _numbered_outside_fences(lines: list[str]) -> list[tuple[int, str]]:
    """(1-based number, line) of every line that is not inside a code fence."""
    kept = []
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        if found := _FENCE.match(line):
            marker = found.group(1)
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is None:
            kept.append((number, line))
    return kept
