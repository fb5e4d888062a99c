"""The words the tool itself writes (labels, placeholders), in the language of the notes.

A deck written in French gets "Sommaire", not "Contents". The language comes from
`exporter.toml` (`language = "fr"`, globally or per `[[sources]]` entry) or, when not
set, is guessed from the notes' own words. French labels follow French typography: a
no-break space before `:`, `;`, `?` and `!`, so the sign never starts a line.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from exporter.model import Note

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
NBSP = "\u00a0"
NNBSP = "\u202f"
"""Narrow no-break space: the one French typography puts before `;`, `?` and `!`."""

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "no_answer": "No answer written yet.",
        "contents": "Contents",
        "answer_key": "Answer key",
        "sheet": "Revision sheet",
        "quiz": "Quiz with answer key",
        "cards": "Flashcards to cut out",
        "general": "General",
        "questions": "Questions",
        "answered": "Answered",
        "still_open": "Still open",
        "topics": "Topics",
        "source_files": "Source files",
        "last_changed": "Sources last changed on {date}",
        "image_not_found": "image not found: {name}",
        "image_not_allowed": "image not allowed: {name}",
        "missing_image": "missing image: {name}",
        "long_answer": "Answer too long for a card: see page {page}",
        "long_answers": "Long answers",
        "open_back": "Write your answer:",
        "continued": "continued",
        "cards_pages": "Cards",
    },
    "fr": {
        "no_answer": "Pas encore de réponse rédigée.",
        "contents": "Sommaire",
        "answer_key": "Corrigé",
        "sheet": "Fiche de révision",
        "quiz": "Quiz avec corrigé",
        "cards": "Cartes à découper",
        "general": "Général",
        "questions": "Questions",
        "answered": "Avec réponse",
        "still_open": "Sans réponse",
        "topics": "Thèmes",
        "source_files": "Fichiers sources",
        "last_changed": "Sources modifiées le {date}",
        "image_not_found": "image introuvable : {name}",
        "image_not_allowed": "image refusée : {name}",
        "missing_image": "image manquante : {name}",
        "long_answer": "Réponse trop longue pour une carte : voir page {page}",
        "long_answers": "Réponses longues",
        "open_back": "Écrivez votre réponse :",
        "continued": "suite",
        "cards_pages": "Cartes",
    },
}

_WORD = re.compile(r"[a-zà-öø-ÿœ']+")
_MARKERS = {
    "fr": frozenset("le la les des du une est et en dans pour sur avec que qui pas ce cette sont au aux "
                    "entre quelle quel quels quelles pourquoi comment ou où".split()),
    "en": frozenset("the of and is are to in for on with that which what why how this these an be "
                    "from by it as or can does".split()),
}


class _WordsOnly(dict[int, int]):
    """A `str.translate` table keeping `_WORD`'s characters and making every other one a space.

    `text.translate(table).split()` gives the words `_WORD.findall(text)` gives (its maximal runs) in
    half the time on ASCII text: translation and splitting are C loops, the regex engine's was the cost.
    Each character's entry is worked out on first sight (by `_WORD` itself) and kept.
    """

    def __missing__(self, code: int) -> int:
        kept = code if _WORD.fullmatch(chr(code)) else 0x20
        self[code] = kept
        return kept


_WORDS_ONLY = _WordsOnly()


def french_typography(text: str) -> str:
    """A no-break space before `:` and a narrow one before `;?!`, replacing any plain space there."""
    text = re.sub(r"[ \u00a0\u202f]?:(?=\s|$)", NBSP + ":", text)
    return re.sub(r"[ \u00a0\u202f]?([;?!])(?=\s|$)", NNBSP + r"\1", text)


def label(language: str, key: str, **values: object) -> str:
    """The tool's own words for `key` in `language` (English when the language is unknown)."""
    words = _LABELS.get(language, _LABELS[DEFAULT_LANGUAGE])[key]
    if language == "fr":
        words = french_typography(words)  # before filling in: a file name keeps its own colons
    return words.format(**values) if values else words


def labels(language: str) -> dict[str, str]:
    """Every label of `language` without placeholders filled, for templates."""
    return {key: label(language, key) for key in _LABELS[DEFAULT_LANGUAGE]}


def marker_counts(texts: Iterable[str]) -> tuple[int, int]:
    """How many common French and English words (`_MARKERS`) the texts use, as (fr, en).

    Counts add up: a file's counts are the sum of its notes', so a file read from the
    parse cache keeps its counts and its language is not guessed again over every note.
    One pass over the joined texts (`_WordsOnly`, or the regex) and a C-counted tally: a loop
    over every word was a tenth of a one-note rebuild.
    """
    joined = "\n".join(texts).lower()
    # ASCII text (str.translate's fast path) by translate-and-split, twice as fast; other text by the regex,
    # which beats translate's general path.
    found = Counter(joined.translate(_WORDS_ONLY).split() if joined.isascii() else _WORD.findall(joined))
    if not found:
        return 0, 0
    return sum(found[word] for word in _MARKERS["fr"]), sum(found[word] for word in _MARKERS["en"])


def note_markers(notes: Iterable[Note]) -> tuple[int, int]:
    """`marker_counts` of notes' questions and answers: what a file's language is guessed from."""
    return marker_counts(text for note in notes for text in (note.question, note.answer or ""))


def language_of(counts: tuple[int, int]) -> str:
    """"fr" or "en" from `marker_counts`: whichever has more; English on a tie."""
    return "fr" if counts[0] > counts[1] else DEFAULT_LANGUAGE


def detect_language(texts: Iterable[str]) -> str:
    """"fr" or "en", whichever language's common words the texts use more; English on a tie."""
    return language_of(marker_counts(texts))


def majority(languages: Iterable[str]) -> str:
    """The language most of a deck's notes are in (the first seen on a tie)."""
    counts = Counter(languages)
    return counts.most_common(1)[0][0] if counts else DEFAULT_LANGUAGE
