"""File names for decks: readable, bounded in length, and one per deck.

Two decks must never share an output file (the second would silently replace the
first), and a name must fit the file system's 255-byte limit with room for the
suffixes the build adds (`.apkg`, `-media`, the `.NAME.XXXX.tmp` of atomic writes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_STEM_BYTES = 120
"""UTF-8 bytes of a stem, hash suffix included: far below 255 once suffixes are added."""
_HASH_CHARS = 8


def slugify(name: str) -> str:
    """A readable file stem: accents dropped from Latin letters, other scripts kept, dashes between words.

    `Café` gives `cafe` (as before non-Latin support existed, so existing outputs keep
    their names), `日本語` stays `日本語` instead of becoming the shared fallback `deck`.
    """
    kept = []
    for ch in unicodedata.normalize("NFKC", name):
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        kept.append(base if base.isascii() else ch)
    folded = "".join(kept).lower()
    slug = re.sub(r"[\W_]+", "-", folded).strip("-")
    return slug or "deck"


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH_CHARS]


def _bounded(slug: str, name: str) -> str:
    """`slug` cut to `MAX_STEM_BYTES`, with a hash of the full name so cut names stay apart."""
    if len(slug.encode("utf-8")) <= MAX_STEM_BYTES:
        return slug
    room = MAX_STEM_BYTES - _HASH_CHARS - 1
    cut = slug.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip("-")
    return f"{cut}-{_digest(name)}"


def output_stems(names: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Deck name -> unique file stem, and the (kept, renamed) deck pairs whose stems collided.

    Decks are taken in sorted order: the first keeps the plain stem, each later one gets a
    hash of its own name appended, which stays the same from build to build.
    """
    stems: dict[str, str] = {}
    owner: dict[str, str] = {}
    collisions: list[tuple[str, str]] = []
    for name in sorted(set(names)):
        stem = _bounded(slugify(name), name)
        if stem.casefold() in owner:
            collisions.append((owner[stem.casefold()], name))
            stem = _bounded(f"{slugify(name)}-{_digest(name)}", name)
            counter = 2
            while stem.casefold() in owner:  # a hash collision: practically never
                stem = f"{stem}-{counter}"
                counter += 1
        owner[stem.casefold()] = name
        stems[name] = stem
    return stems, collisions
