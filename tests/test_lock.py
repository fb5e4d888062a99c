"""The lock file: readable, stable, and never left corrupt."""

from __future__ import annotations

import dataclasses
import json
import os
import random
from pathlib import Path

import pytest

from exporter.identity import lock as lock_module
from exporter.identity.lock import Lock, LockEntry, LockError, parse_lock, read_lock, save_lock, write_lock
from exporter.model import Note, NoteKind, SourceLocation
from tests.test_identity import resolve


def sample_lock() -> Lock:
    notes = [
        Note("Deck B", NoteKind.QA, "Zweite Frage?", "Antwort.", SourceLocation("sources/b.md", 4)),
        Note("Deck A", NoteKind.QA, "Première question ?", "Réponse « ici ».", SourceLocation("sources/a.md", 7)),
        Note("Deck A", NoteKind.OPEN, "Open one?", None, SourceLocation("sources/a.md", 2)),
    ]
    return resolve(notes, None, {"sources/a.md": 111, "sources/b.md": 222}).lock


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    lock = sample_lock()
    write_lock(path, lock)
    again = read_lock(path)
    assert again is not None and again.problems == [] and again.version == 2
    assert sorted(again.lock.entries) == sorted(lock.entries)
    assert again.lock.to_json() == path.read_text(encoding="utf-8")


def test_file_is_sorted_readable_json(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert [(n["deck"], n["line"]) for n in data["notes"]] == [("Deck A", 2), ("Deck A", 7), ("Deck B", 4)]
    assert "Première question ?" in text  # as written, unescaped
    assert data["notes"][1]["answer_start"] == "réponse ici"
    assert data["notes"][0] == {
        "answer_start": "", "deck": "Deck A", "fingerprint": data["notes"][0]["fingerprint"], "kind": "open",
        "guid": data["notes"][0]["guid"], "line": 2, "modified": 111, "question": "Open one?",
        "source": "sources/a.md",
    }


def test_missing_lock_reads_as_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "exporter.lock") is None


@pytest.mark.parametrize("content", ["{not json", '{"version": 99, "notes": []}', '[1, 2]', '{"version": 2}',
                                     '{"version": 2, "notes": {}}', "<<<<<<< HEAD\n", "[" * 100_000])
def test_unusable_lock_raises_lock_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "exporter.lock"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LockError):
        read_lock(path)


def test_interrupted_write_leaves_the_old_lock_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    before = path.read_bytes()

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # the user hits Ctrl-C after the data is written, before the rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_lock(path, Lock([]))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exporter.lock"]  # no temporary left behind


def test_unchanged_lock_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    write_lock(path, sample_lock())
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_read_only_folder_raises_os_error_and_keeps_old_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    before = path.read_bytes()

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")  # what mkstemp raises in a read-only folder

    monkeypatch.setattr(lock_module.tempfile, "mkstemp", read_only)
    with pytest.raises(PermissionError):
        write_lock(path, Lock([]))
    assert path.read_bytes() == before


def test_entry_field_order_is_the_sort_order() -> None:
    a = LockEntry("A", "s.md", 9, "q", "", "f", "g", 1)
    b = LockEntry("A", "s.md", 10, "q", "", "f", "g", 1)
    assert a.removed == 0
    assert sorted([b, a]) == [a, b]


def test_new_lock_is_readable_by_others_like_any_new_file(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    old_umask = os.umask(0o022)
    try:
        write_lock(path, sample_lock())
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o644


# --- a lock of the wrong shape: what is wrong is said, good entries are kept -------------------

GOOD = {"answer_start": "a", "deck": "D", "fingerprint": "f", "guid": "good1", "line": 3, "modified": 100,
        "question": "Kept?", "source": "sources/a.md"}


def lock_text(*entries: object, version: object = 2) -> str:
    return json.dumps({"notes": list(entries), "version": version}, indent=1)


@pytest.mark.parametrize(("bad", "said"), [
    ({**GOOD, "guid": 12}, "'guid' must be text, found the number 12"),
    ({**GOOD, "question": ["a", "list"]}, "'question' must be text, found a list"),
    ({**GOOD, "modified": "100"}, "'modified' must be a whole number, found text"),
    ({**GOOD, "modified": 1.5}, "'modified' must be a whole number, found the number 1.5"),
    ({**GOOD, "modified": 10**40}, "'modified' must be between 0 and 4294967296"),
    ({**GOOD, "line": -1}, "'line' must be between 0 and"),
    ({**GOOD, "modified": True}, "'modified' must be a whole number, found true/false"),
    ({k: v for k, v in GOOD.items() if k != "deck"}, "'deck' must be text, found nothing"),
    ({**GOOD, "source": "/home/me/notes/a.md"}, "'source' must be a path inside the project"),
    ({**GOOD, "source": "../secret/a.md"}, "'source' must be a path inside the project"),
    ({**GOOD, "guid": "has space"}, "'guid' must be 1 to 64 characters without spaces"),
    ("just text", "an entry must be an object, found text"),
])
def test_wrong_shape_entry_is_named_and_skipped_good_ones_kept(bad: object, said: str) -> None:
    other = {**GOOD, "guid": "good2", "question": "Also kept?"}
    read = parse_lock(lock_text(GOOD, bad, other))
    assert [e.guid for e in read.lock.entries] == ["good1", "good2"]
    [(_line, message)] = read.problems
    assert message.startswith("notes entry 2: ") and said in message and message.endswith("entry skipped")


def test_nan_and_huge_numbers_are_named_not_a_crash() -> None:
    text = lock_text(GOOD, {**GOOD, "guid": "nan", "line": "NAN"}, {**GOOD, "guid": "huge", "line": "HUGE"},
                     {**GOOD, "guid": "inf", "line": "INF"})
    text = text.replace('"NAN"', "NaN").replace('"HUGE"', "9" * 5_000).replace('"INF"', "1e400")
    read = parse_lock(text)
    assert [e.guid for e in read.lock.entries] == ["good1"]
    messages = [m for _line, m in read.problems]
    assert "'line' must be a whole number, found NaN" in messages[0]
    assert "'line' must be a whole number, found a 5000-digit number" in messages[1]
    assert "'line' must be a whole number, found the number 1e400" in messages[2]


def test_value_nested_100k_deep_is_cut_and_the_other_entries_kept() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = lock_text(GOOD, {**GOOD, "guid": "deep", "question": "PLACEHOLDER"}).replace('"PLACEHOLDER"', deep)
    read = parse_lock(text)
    assert [e.guid for e in read.lock.entries] == ["good1"]
    [(line, message)] = read.problems
    assert "'question' must be text, found a list" in message
    assert line == [n for n, text_line in enumerate(text.splitlines(), 1) if '"guid": "deep"' in text_line][0]  # points where an editor finds it


def test_version_1_lock_is_read() -> None:
    read = parse_lock(lock_text(GOOD, version=1))
    assert read.version == 1 and [e.guid for e in read.lock.entries] == ["good1"]


def test_shipped_lock_reads_without_problems() -> None:
    read = read_lock(Path(__file__).resolve().parent.parent / "sources" / "exporter.lock")
    assert read is not None and read.problems == [] and len(read.lock.entries) == 270


def test_removed_entries_round_trip_in_their_own_section(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    gone = LockEntry("D", "sources/a.md", 4, "Gone?", "", "f", "gone1", 500, removed=400)
    write_lock(path, Lock([LockEntry("D", "sources/a.md", 2, "Here?", "", "f", "here1", 100), gone]))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [n["guid"] for n in data["notes"]] == ["here1"] and "removed" not in data["notes"][0]
    assert [(n["guid"], n["removed"]) for n in data["removed"]] == [("gone1", 400)]
    read = read_lock(path)
    assert read is not None and gone in read.lock.entries


def test_backup_keeps_the_old_lock_before_one_with_less_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    write_lock(path, sample_lock())
    before = path.read_bytes()
    backup = save_lock(path, Lock([]), backup=True)
    assert backup == tmp_path / "exporter.lock.bak"
    assert backup.read_bytes() == before
    read = read_lock(path)
    assert read is not None and read.lock.entries == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exporter.lock", "exporter.lock.bak"]


def test_stale_temporary_of_a_killed_writer_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "exporter.lock"
    dead = subprocess_pid_that_exited()
    stale = tmp_path / f".exporter.lock.{dead}.abc.tmp"
    stale.write_text("half a lock")
    write_lock(path, sample_lock())
    assert not stale.exists()


def subprocess_pid_that_exited() -> int:
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_old_or_the_new_lock_whole(tmp_path: Path) -> None:
    """20 writers killed at random moments while replacing a 2,000-entry lock: always one whole version."""
    import random
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "exporter.lock"
    script = tmp_path / "writer.py"
    script.write_text(
        "import sys\n"
        "from exporter.identity.lock import Lock, LockEntry, write_lock\n"
        "from pathlib import Path\n"
        "path = Path(sys.argv[1])\n"
        "for round in range(1_000_000):\n"
        "    entries = [LockEntry('D', 'sources/a.md', i, 'q' * 200, '', 'f', f'g{i}', round) for i in range(2000)]\n"
        "    write_lock(path, Lock(entries))\n", encoding="utf-8")
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for _trial in range(20):
        writer = subprocess.Popen([sys.executable, str(script), str(path)], env=env)
        time.sleep(rng.uniform(0.3, 1.0))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        read = read_lock(path)
        assert read is not None and read.problems == []
        assert len(read.lock.entries) == 2000 and len({e.modified for e in read.lock.entries}) == 1
    write_lock(path, Lock([]))  # the next write removes what the killed writers left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exporter.lock", "writer.py"]


def test_mangled_locks_give_a_lock_or_a_lock_error_never_anything_else() -> None:
    """1,000 random mutations of a real lock's text: truncations, flipped characters, swapped values."""
    import random

    text = sample_lock().to_json()
    rng = random.Random(13)
    swaps = ['"x"', "1", "-1", "1e999", "NaN", "null", "true", "[]", "{}", '"\\ud800"', "9" * 50, "[" * 200]
    for _ in range(1_000):
        mangled = list(text)
        for _edit in range(rng.randint(1, 4)):
            at = rng.randrange(len(mangled) + 1)
            choice = rng.random()
            if choice < 0.3:
                del mangled[at:]
            elif choice < 0.6:
                mangled[at:at + 1] = [rng.choice('{}[]",:0a\\ \n')]
            else:
                mangled[at:at] = list(rng.choice(swaps))
        try:
            read = parse_lock("".join(mangled))
        except LockError:
            continue
        for entry in read.lock.entries:
            assert isinstance(entry.guid, str) and isinstance(entry.modified, int) and 0 <= entry.modified <= 2**32
        read.lock.to_json().encode("utf-8")  # whatever was kept can be written back


def test_lone_surrogate_is_named_and_the_entry_skipped() -> None:
    text = lock_text(GOOD, {**GOOD, "guid": "lone", "question": "SURROGATE"}).replace('"SURROGATE"', '"a\\ud800b"')
    read = parse_lock(text)
    assert [e.guid for e in read.lock.entries] == ["good1"]
    assert "'question' holds a lone surrogate (\\ud800), not text" in read.problems[0][1]


def _many_entries() -> list[LockEntry]:
    """Entries of every shape the layout has: live and removed, odd characters in the values."""
    entries = [LockEntry(f"Deck {i % 3}", f"sources/{i % 4}.md", i, f"Question {i} « é » \"q\"\n?",
                         f"answer {i}", f"{i:032x}", f"g{i:019d}", 1_700_000_000 + i, "qa" if i % 5 else "cloze")
               for i in range(40)]
    entries += [LockEntry("Deck 9", "sources/gone.md", i, f"Gone {i}?", "", f"{i + 100:032x}", f"r{i:019d}",
                          1_700_000_000, removed=1_700_000_500 + i) for i in range(3)]
    return entries


def _written_with_state(tmp_path: Path, entries: list[LockEntry]) -> tuple[Path, lock_module.LockState]:
    path = tmp_path / "exporter.lock"
    state = lock_module.LockState(tmp_path / ".cache" / "lock-state")
    write_lock(path, Lock(list(entries), state=state))
    return path, state


@pytest.mark.parametrize("chunk", [1, 7, 2000])
def test_a_lock_written_again_keeps_unchanged_entries_text_and_equals_a_full_encode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Entries read from a lock this toolkit wrote are written back with their text, not encoded again;
    the bytes are those of encoding every entry, whatever changed, moved in the order, or left."""
    monkeypatch.setattr(lock_module, "_CHUNK", chunk)
    path, state = _written_with_state(tmp_path, _many_entries())
    read = read_lock(path, state)
    assert read is not None and read.lock.known is not None
    old = read.lock.entries
    known, data = read.lock.known, read.lock.known.load()
    assert data is not None
    assert [data[a:b].decode() for a, b in zip(known.starts, known.ends)] == [
        Lock([e]).to_json().split("[\n", 1)[1].split("\n ]", 1)[0] for e in old]  # each entry's own text
    changed = [
        dataclasses.replace(old[3], fingerprint="f" * 32, modified=old[3].modified + 1),  # an edited answer
        dataclasses.replace(old[10], line=999, question="Moved down?"),  # sorts elsewhere now
        dataclasses.replace(old[20], removed=1_700_001_000),  # left the sources
        dataclasses.replace(old[41], removed=0),  # came back
        LockEntry("Deck 0", "sources/new.md", 1, "New?", "new", "e" * 32, "n" * 20, 1_700_002_000),
    ]
    kept = [e for i, e in enumerate(old) if i not in (3, 10, 20, 41, 30)]  # 30: deleted, and forgotten
    new = Lock([*changed, *reversed(kept)], known=read.lock.known, state=state)
    encoded: list[int] = []
    real = lock_module._ENCODE_FLAT

    def counting(values: list[object]) -> str:
        encoded.append(len(values))
        return real(values)

    monkeypatch.setattr(lock_module, "_ENCODE_FLAT", counting)
    text = new.to_json()
    assert sum(encoded) <= 10 * len(changed)  # only the changed entries' values were encoded (9 or 10 each)
    monkeypatch.setattr(lock_module, "_ENCODE_FLAT", real)
    assert text == Lock(list(new.entries)).to_json()
    write_lock(path, new)
    again = read_lock(path, state)
    assert again is not None and again.lock.known is not None  # what was written is recorded
    assert sorted(again.lock.entries) == sorted(new.entries)


def test_a_lock_changed_outside_a_build_is_encoded_whole(tmp_path: Path) -> None:
    """A lock edited by hand (here: the same entries laid out by another tool) is not the layout
    the recorded bytes promise: nothing of its text is reused, and the next write is the usual layout."""
    path, state = _written_with_state(tmp_path, _many_entries())
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    read = read_lock(path, state)
    assert read is not None and read.lock.known is None and read.problems == []
    write_lock(path, read.lock)
    assert path.read_text(encoding="utf-8") == Lock(list(read.lock.entries)).to_json()
    assert (read_lock(path, state) or pytest.fail()).lock.known is not None


def test_a_lock_edited_by_hand_to_the_same_size_is_not_taken_for_the_recorded_one(tmp_path: Path) -> None:
    path, state = _written_with_state(tmp_path, _many_entries())
    text = path.read_text(encoding="utf-8")
    edited = text.replace('"g0000000000000000005"', '"g0000000000000000006"', 1)  # a GUID changed by hand
    assert len(edited) == len(text) and edited != text
    path.write_text(edited, encoding="utf-8")
    read = read_lock(path, state)
    assert read is not None and read.lock.known is None


def test_the_lock_sort_key_is_the_dataclass_order() -> None:
    entries = _many_entries()
    assert lock_module._sort_key(entries[0]) == dataclasses.astuple(entries[0])
    assert sorted(entries[::-1], key=lock_module._sort_key) == sorted(entries[::-1])


def test_a_lock_changed_between_reading_and_writing_is_encoded_whole(tmp_path: Path) -> None:
    """The offsets are of the text read; when the file changed since (another build, an editor),
    nothing of it is copied."""
    path, state = _written_with_state(tmp_path, _many_entries())
    read = read_lock(path, state)
    assert read is not None and read.lock.known is not None
    entries = read.lock.entries
    text = path.read_text(encoding="utf-8")
    for changed in (Lock(entries[5:]).to_json(),  # entries moved up
                    text.replace('"g0000000000000000005"', '"g0000000000000000006"', 1)):  # the same size
        path.write_text(changed, encoding="utf-8")
        new = Lock(list(entries), known=read.lock.known)
        assert new.to_json() == Lock(list(entries)).to_json()


def _random_entry(rng: random.Random, deck: str, source: str, removed: int = 0) -> LockEntry:
    number = rng.randrange(10_000)
    return LockEntry(deck=deck, source=source, line=rng.randrange(1, 500), question=f"Q «{number}» \"quoted\"\n?",
                     answer_start=f"a {number}", fingerprint=f"{number:032x}", guid=f"g{rng.randrange(10**9)}",
                     modified=1_700_000_000 + number, kind=rng.choice(["qa", "cloze", "open"]), removed=removed)


@pytest.mark.parametrize("seed", range(40))
def test_a_sorted_lock_spliced_is_the_lock_encoded_whole(seed: int) -> None:
    """`SortedLock` (the edit build's lock): runs of (deck, source) found by bisection in the bytes, taken
    out, new entries put in their places: the same bytes as `Lock.to_bytes` of the resulting lock."""
    rng = random.Random(seed)
    decks = ["A", "A::x", "B", "Bé", "C::y::z"][: rng.randrange(1, 6)]
    sources = [f"f{i}.md" for i in range(rng.randrange(1, 6))]
    pairs = [(d, s) for d in decks for s in sources if rng.random() < 0.6]
    old = [_random_entry(rng, d, s) for d, s in pairs for _ in range(rng.randrange(0, 4))]
    old += [_random_entry(rng, rng.choice(decks), rng.choice(sources), removed=1_800_000_000)
            for _ in range(rng.randrange(0, 3))]
    data = Lock(old).to_bytes()
    view = lock_module.SortedLock(data)
    changed = set(rng.sample(sources, rng.randrange(0, len(sources) + 1)))
    cut, runs, taken = [], {}, []
    for deck in decks:
        for source in changed:
            start, stop, values = view.run(deck, source)
            runs[(deck, source)] = start
            assert [v["source"] for v in values] == [source] * len(values)
            if values:
                cut.append((start, stop))
                taken.extend(values)
    assert len(taken) == sum(1 for e in old if not e.removed and e.source in changed)
    new = [_random_entry(rng, rng.choice([*decks, "D"]), rng.choice(sorted(changed))) for _ in range(
        rng.randrange(0, 6))] if changed else []
    added = []
    for entry in new:
        at = runs.get((entry.deck, entry.source))
        if at is None:
            at = view.lower_bound(entry.deck, entry.source)
        added.append((at if at < view.end else view.end + 2, entry))
    removed = [e for e in old if e.removed] + [_random_entry(rng, "A", "gone.md", removed=1_800_000_001)]
    kept = [e for e in old if not e.removed and e.source not in changed]
    assert view.spliced(cut, added, removed) == Lock([*kept, *new, *removed]).to_bytes()
