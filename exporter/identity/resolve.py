"""Stable note identity: the GUID Anki uses to update a note in place instead of duplicating it.

Old notes (from the lock) and new notes (from the sources) are paired the way git
detects renames: identical content first, then, within a top-level deck, the most
similar remaining pairs above `MATCH_THRESHOLD`, one to one, best score first.
A paired note keeps its GUID; an unpaired new note gets a GUID hashed from its deck
and question; an unpaired old note is reported as removed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable, Mapping

from exporter.diagnostics import Diagnostics
from exporter.identity.lock import Lock, LockEntry, LockError, lock_path_for, read_lock
from exporter.model import Note

MATCH_THRESHOLD = 0.6
"""Lowest similarity at which an old and a new note count as the same note.

Measured on the examples in tests/test_identity.py (word-level SequenceMatcher ratios):
a reworded question with the same answer scores 0.83, a heavily reworded one 0.67, a
reworded open question 0.71; the same question with a new answer is always 1.0. Two
different questions score 0.11-0.12, two questions sharing only the answer "No." 0.33,
and near twins differing in the key word and the answer (overfitting / underfitting)
0.56: 0.6 sits between the weakest true match and the strongest false one.
"""

ANSWER_WORDS = 60
"""How much of an answer the lock keeps for matching: enough to tell twins apart."""

_ANSWER_EVIDENCE = 8
_WORD = re.compile(r"\w+")


def words(text: str | None) -> list[str]:
    """Case-folded word tokens: punctuation, Markdown markup and spacing do not count as edits."""
    return _WORD.findall((text or "").casefold())


def normalised(text: str | None, limit: int | None = None) -> str:
    return " ".join(words(text)[:limit])


def fingerprint(note: Note) -> str:
    """Hash of everything about a note that reaches an output, except where it stands."""
    content = [note.deck, note.kind.value, note.question, note.answer, list(note.tags), note.context,
               note.section, note.link, note.source.path]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def guid_for(deck: str, question: str) -> str:
    """A GUID derived from the deck and the question text, identical on every rebuild."""
    digest = hashlib.sha256(f"{deck}\x1f{question.strip()}".encode("utf-8")).hexdigest()
    return digest[:20]


def _ratio(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similarity(old_question: str, old_answer: str, new_question: str, new_answer: str) -> float:
    """How alike two notes are, 0 to 1, from their normalised question and answer start.

    The same question in the same deck is the same note whatever its answer became.
    Otherwise question and answer are averaged, the answer weighted by its length up
    to `_ANSWER_EVIDENCE` words: a shared "No." says nothing about two questions, a
    shared paragraph says a lot. A side with no answer (an open question) leaves the
    question alone to decide.
    """
    oq, nq = old_question.split(), new_question.split()
    if oq == nq:
        return 1.0
    q = _ratio(oq, nq)
    oa, na = old_answer.split(), new_answer.split()
    if not oa or not na:
        return q
    weight = min(1.0, min(len(oa), len(na)) / _ANSWER_EVIDENCE)
    return (q + weight * _ratio(oa, na)) / (1 + weight)


def _top(deck: str) -> str:
    return deck.split("::", 1)[0]


@dataclass
class Resolution:
    """The notes with identity filled in, the lock to write, and what changed since the last build."""

    notes: list[Note]
    lock: Lock
    added: list[Note] = field(default_factory=list)
    updated: list[Note] = field(default_factory=list)
    moved: list[Note] = field(default_factory=list)
    """Same content at another line: newer time too, since cards show their `path:line`."""
    removed: list[LockEntry] = field(default_factory=list)

    def summary_by_deck(self) -> dict[str, tuple[int, int, int]]:
        """(added, updated, removed) per top-level deck with any change, for the build summary."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for note in self.moved:
            _ = counts[note.top_deck]  # a deck whose notes only moved still gets its line
        for note in self.added:
            counts[note.top_deck][0] += 1
        for note in self.updated:
            counts[note.top_deck][1] += 1
        for entry in self.removed:
            counts[_top(entry.deck)][2] += 1
        return {deck: (c[0], c[1], c[2]) for deck, c in sorted(counts.items())}

    def report(self) -> list[str]:
        """The build summary: counts per deck, then each removed note and where it stood."""
        moved = Counter(n.top_deck for n in self.moved)
        lines = []
        for deck, (a, u, r) in self.summary_by_deck().items():
            extra = f" ({moved[deck]} moved)" if moved[deck] else ""
            lines.append(f"{deck}: {a} added, {u} updated, {r} removed{extra}")
        for entry in sorted(self.removed, key=lambda e: (e.deck, e.source, e.line)):
            lines.append(f"removed from {entry.deck}: {_start(entry.question)!r} (was {entry.source}:{entry.line})")
        return lines


def _start(question: str, limit: int = 60) -> str:
    flat = " ".join(question.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _entry(note: Note, fp: str, guid: str, modified: int) -> LockEntry:
    return LockEntry(
        deck=note.deck,
        source=note.source.path,
        line=note.source.line,
        question=note.question.strip(),
        answer_start=normalised(note.answer, ANSWER_WORDS),
        fingerprint=fp,
        guid=guid,
        modified=modified,
    )


def _pair(old: list[LockEntry], new: list[Note], fps: list[str]) -> dict[int, int]:
    """new index -> old index: exact fingerprints first, then greedy best similarity per deck."""
    pairs: dict[int, int] = {}
    by_fp: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, entry in enumerate(old):
        by_fp[(_top(entry.deck), entry.fingerprint)].append(i)
    for j, note in enumerate(new):
        candidates = by_fp.get((note.top_deck, fps[j]))
        if candidates:
            pairs[j] = candidates.pop(0)
    taken = set(pairs.values())
    # The same question (as words) in the same deck is a sure match: pair those before
    # scoring, so a renamed file or a moved block costs no quadratic comparison.
    by_question: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, entry in enumerate(old):
        if i not in taken:
            by_question[(_top(entry.deck), normalised(entry.question))].append(i)
    for j, note in enumerate(new):
        candidates = by_question.get((note.top_deck, normalised(note.question)))
        if j not in pairs and candidates:
            pairs[j] = candidates.pop(0)
            taken.add(pairs[j])
    left_old: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(old):
        if i not in taken:
            left_old[_top(entry.deck)].append(i)
    scored: list[tuple[float, int, int]] = []
    new_keys = [(normalised(n.question), normalised(n.answer, ANSWER_WORDS)) for n in new]
    old_questions = [normalised(e.question) for e in old]
    for j, note in enumerate(new):
        if j in pairs:
            continue
        for i in left_old.get(note.top_deck, []):
            score = similarity(old_questions[i], old[i].answer_start, *new_keys[j])
            if score >= MATCH_THRESHOLD:
                scored.append((-score, i, j))
    for _, i, j in sorted(scored):
        if i not in taken and j not in pairs:
            pairs[j] = i
            taken.add(i)
    return pairs


def resolve(
    notes: list[Note],
    lock: Lock | None,
    times: Mapping[str, int] | None = None,
    in_scope: Callable[[str], bool] | None = None,
) -> Resolution:
    """Give every note its GUID and modification time, and say what changed since `lock`.

    `times` maps a source path to its modification time (epoch seconds), the time a
    new or changed note takes. `in_scope` says which old entries this build can judge:
    entries of sources that were not read this time are carried over untouched.
    """
    times = times or {}
    old_all = lock.entries if lock else []
    scope = in_scope or (lambda _path: True)
    old = [e for e in old_all if scope(e.source)]
    carried = [e for e in old_all if not scope(e.source)]
    fps = [fingerprint(n) for n in notes]
    pairs = _pair(old, notes, fps)
    used = {e.guid for e in carried}
    guids: dict[int, str] = {}
    for j, i in sorted(pairs.items()):  # kept GUIDs first, so a new note never takes one
        if old[i].guid not in used:
            guids[j] = old[i].guid
            used.add(old[i].guid)
    result = Resolution([], Lock(list(carried)))
    for j, note in enumerate(notes):
        change: list[Note] | None = None
        if j in guids:
            previous = old[pairs[j]]
            moved = (previous.source, previous.line) != (note.source.path, note.source.line)
            if previous.fingerprint == fps[j] and not moved:
                modified = previous.modified  # unchanged: same bytes on every rebuild
            else:
                modified = max(times.get(note.source.path, 0), previous.modified + 1)
                change = result.updated if previous.fingerprint != fps[j] else result.moved
        else:
            guids[j] = _fresh_guid(note, used)
            used.add(guids[j])
            modified = note.modified or times.get(note.source.path, 0)
            change = result.added if lock is not None else None
        resolved = dataclasses.replace(note, guid=guids[j], modified=modified)
        result.notes.append(resolved)
        if change is not None:
            change.append(resolved)
        result.lock.entries.append(_entry(note, fps[j], guids[j], modified))
    kept = {pairs[j] for j in pairs if guids[j] == old[pairs[j]].guid}
    result.removed = [e for i, e in enumerate(old) if i not in kept]
    return result


def _fresh_guid(note: Note, used: set[str]) -> str:
    """The deterministic GUID of a new note, salted with a counter if already taken."""
    guid = guid_for(note.deck, note.question)
    salt = 1
    while guid in used:
        guid = guid_for(note.deck, f"{note.question}\x1f{salt}")
        salt += 1
    return guid


def identify(
    notes: list[Note],
    paths: list[Path],
    root: Path,
    files: list[Path],
    diagnostics: Diagnostics,
    use_lock: bool = True,
) -> tuple[Resolution, Path | None]:
    """Resolve identity against the lock beside the sources; returns the lock path `build` may write.

    The path is None when the lock must not be written: `--no-lock`, or a lock that
    exists but cannot be read (it is reported, and left for the user to repair rather
    than overwritten with fresh GUIDs).
    """
    times: dict[str, int] = {}
    for path in files:
        try:
            times[_relative(path, root)] = int(path.stat().st_mtime)
        except OSError:
            pass
    if not use_lock:
        return resolve(notes, None, times), None
    lock_path = lock_path_for(paths, root)
    try:
        lock = read_lock(lock_path)
    except LockError as exc:
        diagnostics.error(_relative(lock_path, root), 0, "lock", f"{exc}; GUIDs derived afresh, lock left as is")
        return resolve(notes, None, times), None
    read = set(times)

    def in_scope(source: str) -> bool:
        return source in read or not (root / source).exists()

    return resolve(notes, lock, times, in_scope), lock_path


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
