"""Stable note identity: the GUID Anki uses to update a note in place instead of duplicating it.

Old notes (from the lock) and new notes (from the sources) are paired the way git
detects renames: identical content first, then the same question (in the same top-level
deck, then in any deck: a question moved to another deck is the same note), then, within
a top-level deck, the most similar remaining pairs above `MATCH_THRESHOLD`, one to one,
best score first. A paired note keeps its GUID; an unpaired new note gets a GUID hashed
from its deck and question.

Churn: a note's modification time changes only when what Anki shows of it changes
(`fingerprint`: its fields as rendered, tags, deck, media), never because it moved to
another line, so a re-import updates exactly the notes the user would see differ.

Removed notes: Anki's import never deletes, so an old note left unpaired stays in the lock
as removed and keeps being emitted, tagged `REMOVED_TAG`, with a newer modification time
once (that import adds the tag), for `REMOVED_DAYS` days; the build summary says how to
find and delete them. A removed question that comes back takes its GUID again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import islice
from pathlib import Path
from typing import Callable, Container, Mapping

from exporter.diagnostics import Diagnostics
from exporter.identity.lock import Lock, LockEntry, LockError, LockRead, LockState, read_lock
from exporter.model import Note, NoteKind, RenderedNote, SourceLocation
from exporter.project import Project

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

REMOVED_TAG = "exporter::removed"
"""The tag of notes whose question left the sources: `tag:exporter::removed` finds them in Anki."""

REMOVED_DAYS = 90
"""How long a removed note keeps being emitted: long enough for an import on every device,
bounded so the lock and the decks do not keep the past forever."""

_DAY = 86_400
LOCK_STATE_NAME = "lock-state"
"""The file in the build cache naming the lock's bytes as last written (see `exporter.identity.lock.LockState`)."""
_ANSWER_EVIDENCE = 8
_WORD = re.compile(r"\w+")


def words(text: str | None, limit: int | None = None) -> list[str]:
    """Case-folded word tokens (the first `limit`): punctuation, markup and spacing do not count as edits."""
    if not text:
        return []
    found = _WORD.finditer(text)
    if limit is not None:
        return [m.group(0).casefold() for m in islice(found, limit)]
    return [m.group(0).casefold() for m in found]


def normalised(text: str | None, limit: int | None = None) -> str:
    return " ".join(words(text, limit))


def fingerprint(rendered: RenderedNote, media_digest: Callable[[str], str]) -> str:
    """Hash of what Anki shows of a note: every field, tags, deck, and its media by content.

    Not the Markdown (an edit that renders the same is no change, a renderer fix that
    shows differently is one) and not the line (moving a question is no change).
    """
    note = rendered.note
    media = "\x1e".join(f"{m.name}\x1d{media_digest(m.path)}" for m in rendered.media)
    # Fields joined by a separator no field holds, not JSON: this runs for every note of every build.
    content = "\x1f".join([note.deck, note.kind.value, "\x1e".join(note.tags), rendered.question_html,
                           rendered.answer_html, rendered.context_html, rendered.source_html, media])
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


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


@dataclass(frozen=True)
class Move:
    """A note that now stands in another file or deck; it kept its GUID."""

    note: Note
    old_source: str
    old_deck: str


@dataclass
class Resolution:
    """The notes with identity filled in, the lock to write, and what changed since the last build."""

    notes: list[RenderedNote]
    lock: Lock
    added: list[Note] = field(default_factory=list)
    updated: list[Note] = field(default_factory=list)
    """Paired notes whose visible content changed (moves excluded)."""
    moved: list[Move] = field(default_factory=list)
    removed: list[LockEntry] = field(default_factory=list)
    """Notes whose question left the sources in this build."""
    emitted_removed: list[LockEntry] = field(default_factory=list)
    """Every removed note this build emits with `REMOVED_TAG` (this build's and earlier ones')."""
    expired: list[LockEntry] = field(default_factory=list)
    """Removed notes older than `REMOVED_DAYS`: no longer emitted, forgotten by the lock."""
    upgraded_from: int | None = None
    """The lock version read when it was older than the one written."""
    backup: bool = False
    """True when the lock being replaced knew something the new one will not: keep a copy."""

    def summary_by_deck(self) -> dict[str, tuple[int, int, int]]:
        """(added, updated, removed) per top-level deck with any change, for the build summary."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for move in self.moved:
            _ = counts[move.note.top_deck]  # a deck whose notes only moved still gets its line
        for note in self.added:
            counts[note.top_deck][0] += 1
        for note in self.updated:
            counts[note.top_deck][1] += 1
        for entry in self.removed:
            counts[_top(entry.deck)][2] += 1
        return {deck: (c[0], c[1], c[2]) for deck, c in sorted(counts.items())}

    def report(self, now: int | None = None) -> list[str]:
        """The build summary: counts per deck, removed and moved notes, and how to delete removed ones in Anki."""
        moved = Counter(m.note.top_deck for m in self.moved)
        lines = []
        if self.upgraded_from is not None:
            lines.append(f"lock upgraded from version {self.upgraded_from}: cards no longer show line numbers, "
                         "so every note is updated once by the next import")
        for deck, (a, u, r) in self.summary_by_deck().items():
            extra = f" ({moved[deck]} moved)" if moved[deck] else ""
            lines.append(f"{deck}: {a} added, {u} updated, {r} removed{extra}")
        for entry in sorted(self.removed, key=lambda e: (e.deck, e.source, e.line)):
            lines.append(f"removed from {entry.deck}: {_start(entry.question)!r} (was {entry.source}:{entry.line})")
        for move in self.moved:
            old = [part for part, new in ((move.old_source, move.note.source.path), (move.old_deck, move.note.deck))
                   if part != new]
            new = [part for part in (move.note.source.path, move.note.deck) if part not in
                   (move.old_source, move.old_deck)]
            lines.append(f"moved: {_start(move.note.question)!r} from {' / '.join(old)} to {' / '.join(new)}"
                         f" (line {move.note.source.line})")
        if self.emitted_removed:
            last = max(e.removed for e in self.emitted_removed) + REMOVED_DAYS * _DAY
            until = time.strftime("%Y-%m-%d", time.gmtime(last))
            count = len(self.emitted_removed)
            lines.append(f"{count} removed note{'s stay' if count != 1 else ' stays'} in the decks until {until}, tagged "
                         f"{REMOVED_TAG}: after importing, search  tag:{REMOVED_TAG}  in Anki's browser and "
                         "delete them")
        return lines


def _start(question: str, limit: int = 60) -> str:
    flat = " ".join(question.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class _Candidates:
    """Old entries not yet paired, looked up by key; live entries before removed ones."""

    def __init__(self) -> None:
        self.by_key: dict[object, list[int]] = defaultdict(list)

    def add(self, key: object, index: int) -> None:
        self.by_key[key].append(index)

    def take(self, key: object, taken: set[int]) -> int | None:
        queue = self.by_key.get(key)
        while queue:
            index = queue.pop(0)
            if index not in taken:
                return index
        return None


class _WordIndex:
    """Old questions of one deck by word, to skip pairs that cannot reach `MATCH_THRESHOLD`.

    `SequenceMatcher` costs about 20 µs a pair, so scoring every left-over old note against
    every left-over new one (a file of 5,000 questions replaced by another) would take
    minutes. Two questions' word ratio is at most 2 * shared words / total words, and the
    answer's part of `similarity` at most 1: pairs whose upper bound is under the threshold
    (those sharing no or few question words) are never scored, nor even visited: only old
    questions sharing a word are. Counting shared words costs an integer addition per
    shared occurrence.
    """

    def __init__(self) -> None:
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.sizes: dict[int, tuple[int, int]] = {}

    def add(self, index: int, question: str, answer: str) -> None:
        words = question.split()
        for word, count in Counter(words).items():
            self.postings[word].append((index, count))
        self.sizes[index] = (len(words), len(answer.split()))

    def candidates(self, question: str, answer: str) -> list[int]:
        """Old indices that may score at least `MATCH_THRESHOLD` against this question and answer, in order."""
        words = question.split()
        answer_words = len(answer.split())
        shared: dict[int, int] = defaultdict(int)
        for word, count in Counter(words).items():
            for index, old_count in self.postings.get(word, ()):
                shared[index] += min(count, old_count)
        if not words:  # two empty questions are alike (ratio 1): the answers decide
            shared.update({index: 0 for index, (size, _) in self.sizes.items() if size == 0})
        found = []
        # A pair sharing no question word is bounded by weight / (1 + weight) <= 0.5: never a candidate.
        for index in sorted(shared):
            question_words, old_answer_words = self.sizes[index]
            total = question_words + len(words)
            bound = 2 * shared[index] / total if total else 1.0
            if answer_words and old_answer_words:
                weight = min(1.0, min(answer_words, old_answer_words) / _ANSWER_EVIDENCE)
                bound = (bound + weight) / (1 + weight)
            if bound >= MATCH_THRESHOLD:
                found.append(index)
        return found


def _pair(old: list[LockEntry], new: list[RenderedNote], fps: list[str]) -> dict[int, int]:
    """new index -> old index: exact fingerprints, the same question (deck, then anywhere), then similarity.

    Words are only computed for what the fingerprints did not pair, so an edit of one note
    costs one note's normalising, not the whole deck's.
    """
    order = [i for i, e in enumerate(old) if not e.removed] + [i for i, e in enumerate(old) if e.removed]  # live first
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    exact = _Candidates()
    for i in order:
        exact.add(old[i].fingerprint, i)
    for j in range(len(new)):
        found = exact.take(fps[j], taken)
        if found is not None:
            pairs[j] = found
            taken.add(found)
    left_new = [j for j in range(len(new)) if j not in pairs]
    left_old = [i for i in order if i not in taken]
    if not left_new or not left_old:
        return pairs
    new_questions = {j: normalised(new[j].note.question) for j in left_new}
    old_questions = {i: normalised(old[i].question) for i in left_old}
    old_types = {i: _note_type(old[i].kind) for i in left_old}
    # The same question (as words) is a sure match: in its deck first, then in any deck (a move);
    # never across note types (`NoteKind.note_type`), which Anki cannot convert on import.
    for keyed in (lambda deck, q, t: (_top(deck), q, t), lambda _deck, q, t: (q, t)):
        same = _Candidates()
        for i in left_old:
            same.add(keyed(old[i].deck, old_questions[i], old_types[i]), i)
        for j in left_new:
            if j not in pairs:
                found = same.take(keyed(new[j].note.deck, new_questions[j], new[j].note.kind.note_type), taken)
                if found is not None:
                    pairs[j] = found
                    taken.add(found)
    by_deck: dict[str, _WordIndex] = defaultdict(_WordIndex)
    for i in left_old:
        if i not in taken:
            by_deck[_top(old[i].deck)].add(i, old_questions[i], old[i].answer_start)
    scored: list[tuple[float, int, int]] = []
    for j in left_new:
        index = by_deck.get(new[j].note.top_deck) if j not in pairs else None
        if index is None:
            continue
        answer = normalised(new[j].note.answer, ANSWER_WORDS)
        for i in index.candidates(new_questions[j], answer):
            if old_types[i] != new[j].note.kind.note_type:
                continue
            score = similarity(old_questions[i], old[i].answer_start, new_questions[j], answer)
            if score >= MATCH_THRESHOLD:
                scored.append((-score, i, j))
    for _, i, j in sorted(scored):
        if i not in taken and j not in pairs:
            pairs[j] = i
            taken.add(i)
    return pairs


def resolve(
    notes: list[RenderedNote],
    lock: Lock | None,
    times: Mapping[str, int] | None = None,
    in_scope: Callable[[str], bool] | None = None,
    now: int | None = None,
    media_digest: Callable[[str], str] = file_digest,
    fingerprints: list[str | None] | None = None,
    reserved: Container[str] = (),
) -> Resolution:
    """Give every note its GUID and modification time, and say what changed since `lock`.

    `times` maps a source path to its modification time (epoch seconds), the time a
    new or changed note takes. `in_scope` says which old entries this build can judge:
    entries of sources that were not read this time are carried over untouched. `now`
    (the clock by default) stamps notes removed in this build and expires old removals.
    `fingerprints` gives notes' `fingerprint` where already known (from the render cache).
    `reserved` holds GUIDs of notes outside `notes` and `lock` that keep theirs (the unchanged
    files of an edit build, `exporter.build.delta`): a new note's GUID avoids them too.
    """
    times = times or {}
    now = int(time.time()) if now is None else now
    old_all = lock.entries if lock else []
    scope = in_scope or (lambda _path: True)
    # Judged once per source file, not per entry: a lock has thousands of entries per file.
    inside = {source for source in {e.source for e in old_all} if scope(source)}
    old = [e for e in old_all if e.source in inside]
    carried = [e for e in old_all if e.source not in inside]
    known = fingerprints or [None] * len(notes)
    fps = [fp or fingerprint(n, media_digest) for n, fp in zip(notes, known)]
    pairs = _pair(old, notes, fps)
    used = {e.guid for e in carried}
    guids: dict[int, str] = {}
    for j, i in sorted(pairs.items()):  # kept GUIDs first, so a new note never takes one
        if old[i].guid not in used:
            guids[j] = old[i].guid
            used.add(old[i].guid)
    kept = {pairs[j] for j in pairs if j in guids}
    for i, entry in enumerate(old):  # a removed note's GUID stays reserved while it is emitted
        if i not in kept and entry.removed and now - entry.removed < REMOVED_DAYS * _DAY:
            used.add(entry.guid)
    result = Resolution([], Lock(list(carried)))
    if lock is not None:  # entries kept as they were are written with the text they were read with
        result.lock.known = lock.known
    for j, rendered in enumerate(notes):
        note = rendered.note
        previous = old[pairs[j]] if j in guids else None
        if previous is not None:
            if previous.fingerprint == fps[j] and not previous.removed:
                modified = previous.modified  # unchanged to the eye: same bytes on every rebuild
                entry = previous
                if (previous.line, previous.question) != (note.source.line, note.question.strip()):
                    entry = dataclasses.replace(previous, line=note.source.line, question=note.question.strip())
            else:
                modified = max(times.get(note.source.path, 0), previous.modified + 1)
                entry = _entry(note, fps[j], guids[j], modified)
            if (previous.source, previous.deck) != (note.source.path, note.deck):
                result.moved.append(Move(note, previous.source, previous.deck))
            elif modified != previous.modified:
                result.updated.append(note)
        else:
            guids[j] = _fresh_guid(note, used, reserved)
            used.add(guids[j])
            modified = note.modified or times.get(note.source.path, 0)
            entry = _entry(note, fps[j], guids[j], modified)
            if lock is not None:
                result.added.append(note)
        result.notes.append(_with_identity(rendered, guids[j], modified))
        result.lock.entries.append(entry)
    taken_guids = set(guids.values()) | {e.guid for e in carried}
    for i, entry in enumerate(old):
        if i in kept or entry.guid in taken_guids:  # paired, or a twin of a GUID in use (a hand-edited lock)
            continue
        taken_guids.add(entry.guid)
        if not entry.removed:
            stamp = max(now, entry.modified + 1)  # newer once, so the import brings the tag
            entry = dataclasses.replace(entry, modified=stamp, removed=now)
            result.removed.append(entry)
        if now - entry.removed >= REMOVED_DAYS * _DAY:
            result.expired.append(entry)
            continue
        result.emitted_removed.append(entry)
        result.lock.entries.append(entry)
    return result


def _with_identity(rendered: RenderedNote, guid: str, modified: int) -> RenderedNote:
    """`rendered` with its note's GUID and time set.

    Fresh shallow copies filled through `__dict__`: `dataclasses.replace` twice per note
    was a third of identity's time at 10k notes (and `copy.copy` not much less); the
    copies are new objects no one else holds yet, so freezing is not broken.
    """
    note = object.__new__(Note)
    fields = note.__dict__
    fields.update(rendered.note.__dict__)
    fields["guid"] = guid  # item assignments: a fifth faster than `update`'s keyword arguments
    fields["modified"] = modified
    result = object.__new__(RenderedNote)
    fields = result.__dict__
    fields.update(rendered.__dict__)
    fields["note"] = note
    return result


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
        kind=note.kind.value,
    )


def _note_type(kind: str) -> str:
    """The note type family of a lock entry's kind (see `NoteKind.note_type`)."""
    known = {k.value: k for k in NoteKind}
    return known[kind].note_type if kind in known else "basic"


def _fresh_guid(note: Note, used: set[str], reserved: Container[str] = ()) -> str:
    """The deterministic GUID of a new note, salted with a counter if already taken.

    Reversed and cloze notes hash their note type in too: a question turned from `::` into
    `:::` is a new note to Anki, and must not take the GUID of the basic note it was.
    """
    family = note.kind.note_type
    question = note.question if family == "basic" else f"{note.question}\x1f{family}"
    guid = guid_for(note.deck, question)
    salt = 1
    while guid in used or guid in reserved:
        guid = guid_for(note.deck, f"{question}\x1f{salt}")
        salt += 1
    return guid


def removed_note(entry: LockEntry) -> Note:
    """The note a removed lock entry is emitted as: its question, its GUID, the removal tag."""
    kinds = {kind.value: kind for kind in NoteKind}
    return Note(deck=entry.deck, kind=kinds.get(entry.kind, NoteKind.QA), question=entry.question, answer=None,
                source=SourceLocation(entry.source, entry.line), tags=(REMOVED_TAG,),
                guid=entry.guid, modified=entry.modified)


def removed_answer_html(entry: LockEntry) -> str:
    """The back of a removed note: what happened and what to do, since its answer is gone from the sources."""
    when = time.strftime("%Y-%m-%d", time.gmtime(entry.removed))
    return (f'<p class="no-answer removed-note">This question left <code>{html.escape(entry.source)}</code> on {when}. '
            f"Delete this note: search <code>tag:{REMOVED_TAG}</code> in the browser.</p>\n")


@dataclass
class Identity:
    """What `identify` gives the pipeline: the resolution, and where and whether to write the lock."""

    resolution: Resolution
    lock_path: Path | None
    """None when the lock must not be written (`--no-lock`, or a lock that cannot be read)."""
    error: str | None = None
    """Why the lock could not be read: `build` stops rather than give every note a fresh GUID."""


def identify(
    notes: list[RenderedNote],
    project: Project,
    files: list[Path],
    diagnostics: Diagnostics,
    use_lock: bool = True,
    reset_lock: bool = False,
    now: int | None = None,
    fingerprints: list[str | None] | None = None,
    cache_dir: Path | None = None,
) -> Identity:
    """Resolve identity against the project's lock.

    An unreadable lock is an error finding and `Identity.error`; entries of the wrong
    shape are warnings, the others are used. `reset_lock` ignores the lock (it is kept
    as a backup when replaced). `cache_dir` (the build cache) remembers the bytes of the
    lock written, so that the next build writes its unchanged entries as they are.
    """
    times: dict[str, int] = {}
    for path in files:
        try:
            times[project.relative(path)] = int(path.stat().st_mtime)
        except OSError:
            pass
    if not use_lock:
        return Identity(resolve(notes, None, times, now=now, fingerprints=fingerprints), None)
    lock_rel = project.relative(project.lock_path)
    for other in project.ignored_locks:
        diagnostics.warning(project.relative(other), 0, "lock",
                            f"another lock inside the project, ignored: this project's lock is {lock_rel}")
    read: LockRead | None = None
    state = LockState(cache_dir / LOCK_STATE_NAME) if cache_dir is not None else None
    if not reset_lock:
        try:
            read = read_lock(project.lock_path, state)
        except LockError as exc:
            diagnostics.error(lock_rel, 0, "lock", f"{exc}; the build stops here rather than give every note a "
                                                   "new GUID: fix it, or build with --reset-lock (this one is kept "
                                                   "as a backup) or --no-lock")
            return Identity(resolve(notes, None, times, now=now, fingerprints=fingerprints), None, str(exc))
        for line, problem in read.problems if read else []:
            diagnostics.warning(lock_rel, line, "lock", problem)
    scope_read = set(times)

    def in_scope(source: str) -> bool:
        return source in scope_read or not (project.root / source).exists()

    resolution = resolve(notes, read.lock if read else None, times, in_scope, now, fingerprints=fingerprints)
    resolution.lock.state = state
    if read is not None and read.version < 2 and read.lock.entries:
        resolution.upgraded_from = read.version
    had = read.lock.guids if read else set()
    existed = project.lock_path.exists()
    resolution.backup = existed and (reset_lock or bool(read and read.problems) or not had <= resolution.lock.guids)
    return Identity(resolution, project.lock_path)
