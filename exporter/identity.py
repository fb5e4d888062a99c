"""Stable note identity: the GUID Anki uses to update a note in place instead of duplicating it."""

from __future__ import annotations

import dataclasses
import hashlib

from exporter.model import Note


def guid_for(deck: str, question: str) -> str:
    """A GUID derived from the deck and the question text, identical on every rebuild."""
    digest = hashlib.sha256(f"{deck}\x1f{question.strip()}".encode("utf-8")).hexdigest()
    return digest[:20]


def assign_guids(notes: list[Note]) -> list[Note]:
    """Fill each note's GUID from its deck and question."""
    return [dataclasses.replace(n, guid=guid_for(n.deck, n.question)) if not n.guid else n for n in notes]
