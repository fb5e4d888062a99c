"""The edit build (`exporter/build/delta.py`) against the full build, after random edits.

Two copies of a multi-file project of mixed styles go through the same random edits: one is
built as `exporter build --format apkg` builds (the edit build where it applies), the other
with the edit build turned off (`EXPORTER_FULL_BUILD`). After each edit both must leave the
same `.apkg` bytes, lock bytes, messages and output listing; every few steps a cold build (no
`.cache`, the same lock before) must give the same `.apkg` files and lock too. The edits are
the ones the edit build has to get right: answers edited, notes moved between files,
questions duplicated across files, decks renamed, files added and deleted, the lock edited
by hand, `.cache` deleted.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from exporter.build import delta
from exporter.cli import main

NOW = 1_800_000_000
STEPS = 16
FILES = {
    "qa-a.md": "# Alpha\n\n" + "".join(
        f"Question : Alpha - Topic {i % 3} - What is alpha {i} with $x_{i}$?\nRéponse : Alpha answer {i}.\n\n"
        for i in range(12)),
    "qa-b.md": "".join(f"**Q:** What is beta {i}?\n**A:** Beta answer {i} `code {i}`.\n\n" for i in range(10)),
    "headings.md": "# Gamma\n\n" + "".join(f"## Why gamma {i}?\n\nBecause {i}, see $y^{i}$.\n\n" for i in range(8)),
    "cloze.md": "# Delta\n\n" + "".join(f"The capital of {{{{c1::Country {i}}}}} is {{{{c2::City {i}}}}}.\n\n"
                                       for i in range(6)),
    "open.md": "# Open\n\n### Things\n\n" + "".join(f"**{i}. Open {i}**\n\nThink about {i}?\n\n" for i in range(5)),
}


def _build(project: Path, full: bool) -> tuple[str, str]:
    # EXPORTER_DEBUG: a fault in the edit build raises here instead of falling back to the full build unseen
    env = {"EXPORTER_FULL_BUILD": "1" if full else "", "EXPORTER_DEBUG": "1"}
    result = CliRunner().invoke(main, ["build", str(project / "sources"), "--out", str(project / "dist"),
                                       "--format", "apkg"], env=env)
    assert result.exit_code == 0, result.output
    return result.output.replace(str(project), "P"), result.stderr.replace(str(project), "P") \
        if hasattr(result, "stderr") and result.stderr_bytes is not None else ""


def _state(project: Path) -> dict[str, bytes]:
    dist = project / "dist"
    found = {p.name: p.read_bytes() for p in sorted(dist.iterdir()) if p.suffix == ".apkg"}
    found["lock"] = (project / "sources" / "exporter.lock").read_bytes()
    found["listing"] = "\n".join(sorted(p.name for p in dist.iterdir())).encode()
    return found


def _blocks(text: str) -> list[str]:
    return [b for b in text.split("\n\n") if b.strip()]


def _edit(rng: random.Random, sources: Path) -> str:
    """One random edit of the sources; returns what it did, for the failure message."""
    files = sorted(p for p in sources.glob("*.md"))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    blocks = _blocks(text)
    kind = rng.choice(["answer", "answer", "move", "duplicate", "deck", "add", "delete", "lock", "cache", "none",
                       "reorder", "image", "picture", "unimage"])
    if kind == "answer" and blocks:
        i = rng.randrange(len(blocks))
        blocks[i] = blocks[i].replace("answer", f"answer edited {rng.randrange(99)}", 1).replace(
            "Because", "Since", 1)
        path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    elif kind in ("move", "duplicate") and len(blocks) > 2:
        other = rng.choice(files)
        i = rng.randrange(1, len(blocks))
        block = blocks[i]
        if kind == "move":
            del blocks[i]
            path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
        target = other.read_text(encoding="utf-8") if other != path else path.read_text(encoding="utf-8")
        other.write_text(target + "\n\n" + block + "\n", encoding="utf-8")
        return f"{kind} {path.name}#{i} to {other.name}"
    elif kind == "deck":
        path.write_text(text.replace("Alpha - ", "Alphabet - ").replace("# Gamma", "# Gamma ray")
                        .replace("# Delta", "# Deltas"), encoding="utf-8")
    elif kind == "add":
        name = f"new-{rng.randrange(1000)}.md"
        (sources / name).write_text("".join(f"**Q:** New {name} {i}?\n**A:** Yes {i}.\n\n" for i in range(3)),
                                    encoding="utf-8")
        return f"add {name}"
    elif kind == "delete" and len(files) > 2:
        path.unlink()
    elif kind == "lock":
        lock = sources / "exporter.lock"
        if lock.exists():
            lock.write_text(lock.read_text(encoding="utf-8").replace('"modified": 1', '"modified": 2', 1),
                            encoding="utf-8")
    elif kind == "image":  # a note showing an image that may or may not be there
        path.write_text(text + "\n\n**Q:** What does the picture show?\n**A:** This: ![a picture](pic.png)\n",
                        encoding="utf-8")
    elif kind == "picture":  # the image appears or goes, its sources unchanged
        picture = sources / "pic.png"
        if picture.exists():
            picture.unlink()
        else:
            picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(64)))
    elif kind == "unimage":  # the image's note goes: the edit build applies again
        for other in files:
            kept = [b for b in _blocks(other.read_text(encoding="utf-8")) if "pic.png" not in b]
            other.write_text("\n\n".join(kept) + "\n", encoding="utf-8")
    elif kind == "reorder" and len(blocks) > 3:
        blocks[1], blocks[2] = blocks[2], blocks[1]
        path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return f"{kind} {path.name}"


def _copy(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_the_edit_build_leaves_what_the_full_build_leaves(tmp_path: Path, seed: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: float(NOW))
    rng = random.Random(seed)
    fast, full = _twin_projects(tmp_path)
    edits = []
    used = 0
    for step in range(STEPS):
        edits.append(_edit(rng, fast / "sources"))
        if edits[-1].startswith("cache"):
            shutil.rmtree(fast / "dist" / ".cache", ignore_errors=True)
            shutil.rmtree(full / "dist" / ".cache", ignore_errors=True)
        shutil.rmtree(full / "sources")
        shutil.copytree(fast / "sources", full / "sources")
        for source in (fast / "sources").iterdir():  # the same times: a changed note takes its file's
            other = full / "sources" / source.name
            stat = source.stat()
            os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        calls: list[bool] = []
        real = delta.edit

        def counted(*args: object, **kwargs: object) -> object:
            done = real(*args, **kwargs)  # type: ignore[arg-type]
            calls.append(done is not None)
            return done

        monkeypatch.setattr(delta, "edit", counted)
        fast_out = _build(fast, full=False)
        monkeypatch.setattr(delta, "edit", real)
        used += sum(calls)
        full_out = _build(full, full=True)
        assert _state(fast) == _state(full), edits
        assert fast_out == full_out, edits
        if step % 4 == 3:
            cold = tmp_path / "cold"
            _copy(full, cold)
            shutil.rmtree(cold / "dist")
            _build(cold, full=True)
            made = _state(cold)
            del made["listing"]  # outputs of decks gone stay in an old folder, as in any build
            assert made == {name: _state(full)[name] for name in made}, edits
    assert used >= STEPS // 8, f"the edit build ran {used} times of {STEPS}: {edits}"


def test_an_edit_makes_notes_of_the_edited_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a one-answer edit, only the edited file is read, and only its notes are checked, rendered
    and identified; the deck it shares with another file is still written whole (the same bytes as a
    full build's)."""
    from exporter.build import pipeline
    from exporter.identity import resolve as resolve_module

    sources = tmp_path / "p" / "sources"
    sources.mkdir(parents=True)
    for part in range(3):
        (sources / f"part-{part}.md").write_text("".join(
            f"Question : Shared - Part {part} - What is item {part}-{i}?\nAnswer : Item {i}.\n\n" for i in range(20)),
            encoding="utf-8")
    (sources / "other.md").write_text("".join(f"**Q:** Other {i}?\n**A:** Yes.\n\n" for i in range(5)),
                                      encoding="utf-8")
    project, full = tmp_path / "p", tmp_path / "full"
    _copy(project, full)
    _build(project, full=True)
    _build(full, full=True)
    for root in (project, full):
        path = root / "sources" / "part-1.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Item 3.", "Item three."), encoding="utf-8")
        os.utime(path, ns=(1_800_000_000 * 10**9, 1_800_000_000 * 10**9))
    read: list[str] = []
    real_read = pipeline.read_file
    monkeypatch.setattr(pipeline, "read_file", lambda p, *a: (read.append(p.name), real_read(p, *a))[1])
    resolved: list[int] = []
    real_resolve = resolve_module.resolve
    monkeypatch.setattr(resolve_module, "resolve", lambda notes, *a, **k: (resolved.append(len(notes)),
                                                                          real_resolve(notes, *a, **k))[1])
    out, _ = _build(project, full=False)
    assert read == ["part-1.md"] and resolved == [20]
    assert "built P/dist/shared.apkg (60 notes)" in out and "unchanged P/dist/other.apkg" in out
    read.clear()
    assert _build(full, full=True)[0] == out and len(read) == 4
    assert _state(project) == _state(full)


def _twin_projects(tmp_path: Path) -> tuple[Path, Path]:
    fast, full = tmp_path / "fast", tmp_path / "full"
    (fast / "sources").mkdir(parents=True)
    for name, text in FILES.items():
        (fast / "sources" / name).write_text(text, encoding="utf-8")
    _copy(fast, full)
    _build(fast, full=True)
    _build(full, full=True)
    return fast, full


def _same_edit(fast: Path, full: Path, name: str, change: Callable[[str], str]) -> None:
    for root in (fast, full):
        path = root / "sources" / name
        path.write_text(change(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8")
        os.utime(path, ns=(1_800_000_000 * 10**9, 1_800_000_000 * 10**9))


@pytest.mark.parametrize("into", ["qa-c.md", "a-first.md"])
@pytest.mark.parametrize("answer", ["Alpha answer 4.", "Another answer."])
def test_a_question_copied_into_another_file_is_built_as_the_full_build_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, into: str, answer: str) -> None:
    """The duplicate check spans files: a question of an unchanged file copied into another file (read
    after it, or before it: then the unchanged file's copy is the duplicate) must be reported and built
    as the full build does, never missed."""
    monkeypatch.setattr(time, "time", lambda: float(NOW))
    fast, full = _twin_projects(tmp_path)
    question = f"Question : Alpha - Topic 1 - What is alpha 4 with $x_4$?\nRéponse : {answer}\n"
    _same_edit(fast, full, into, lambda text: f"{text}\n\n{question}\n")
    first = _build(fast, full=False)
    assert first == _build(full, full=True)
    assert "[duplicate]" in first[0]
    assert _state(fast) == _state(full)
    _same_edit(fast, full, into, lambda text: text.replace(question, "Question : Alpha - Topic 1 - New?\n"
                                                                     "Réponse : New.\n"))
    assert _build(fast, full=False) == _build(full, full=True)
    assert _state(fast) == _state(full)


def test_an_image_that_appears_beside_an_unchanged_file_is_packed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A note's image is looked for on disk at each build: when it appears while its file stays the same,
    the next build (here after an edit of another file) packs it, as the full build does."""
    monkeypatch.setattr(time, "time", lambda: float(NOW))
    fast, full = _twin_projects(tmp_path)
    note = "**Q:** What does the picture show?\n**A:** This: ![a picture](pic.png)\n"
    _same_edit(fast, full, "qa-b.md", lambda text: f"{text}\n\n{note}")
    assert _build(fast, full=False) == _build(full, full=True)
    for root in (fast, full):
        (root / "sources" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    _same_edit(fast, full, "open.md", lambda text: text.replace("Think about 3?", "Think about three?"))
    assert _build(fast, full=False) == _build(full, full=True)
    assert _state(fast) == _state(full)


def _big_file(pairs: int) -> str:
    return "\n".join(f"Question : Big - Topic {i % 4} - What is item {i} with $z_{{{i}}}$?\nAnswer : Item {i} is "
                     f"{'long ' * (i % 3)}here.\n" for i in range(pairs))


def _edit_big(rng: random.Random, sources: Path, kind: str = "") -> str:
    """One random edit of the big file read by groups (or of another file)."""
    path = sources / "big.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    questions = [i for i, line in enumerate(lines) if line.startswith("Question : ")]
    at = rng.choice(questions)
    kind = kind or rng.choice(["answer", "answer", "line", "add", "delete", "duplicate", "prefix", "move", "other",
                               "french", "none"])
    if kind == "answer":  # same lines: one group changes
        lines[at + 1] = lines[at + 1].replace("here", f"there {rng.randrange(99)}", 1)
    elif kind == "line":  # one more line: every later group moves
        lines.insert(at + 2, f"and more {rng.randrange(99)}")
    elif kind == "add":
        lines[at:at] = [f"Question : Big - Topic 9 - What is new {rng.randrange(999)}?", "Answer : New.", ""]
    elif kind == "delete":
        end = at + 1
        while end < len(lines) and not lines[end].startswith("Question : "):
            end += 1
        del lines[at:end]
    elif kind == "duplicate":  # a question twice in the file: the groups depend on each other
        lines[at:at] = [lines[questions[0]], "Answer : Another answer.", ""]
    elif kind == "prefix":  # a question without deck prefix takes the deck before it
        lines[at] = lines[at].replace("Big - Topic ", "Topic ", 1).split(" - ", 1)[-1]
        lines[at] = "Question : " + lines[at].removeprefix("Question : ")
    elif kind == "move":
        other = sources / "qa-b.md"
        other.write_text(other.read_text(encoding="utf-8") + f"\n\n**Q:** Moved {lines[at][11:]}\n**A:** Yes.\n",
                         encoding="utf-8")
        del lines[at : at + 2]
    elif kind == "other":
        other = sources / "qa-b.md"
        other.write_text(other.read_text(encoding="utf-8").replace("Beta answer", "Beta reply", 1), encoding="utf-8")
    elif kind == "french":  # enough French to change the file's language: every note renders again
        lines[at + 1] = lines[at + 1] + " Réponse : c'est la même chose, et les données sont là."
    if kind not in ("move", "other", "none"):
        path.write_text("\n".join(lines), encoding="utf-8")
    elif kind == "move":
        path.write_text("\n".join(lines), encoding="utf-8")
    return f"{kind} at line {at + 1}"


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(int(os.environ.get("BIG_SEEDS", "4"))))
def test_edits_of_a_big_file_read_by_groups_build_as_the_full_build(tmp_path: Path, seed: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A big file of labelled pairs is kept by groups: an edit of one answer rebuilds one group's notes. Any
    edit (lines added, pairs added, deleted, duplicated or moved out, deck prefixes dropped, the file's
    language changed) must leave what the full build leaves."""
    from exporter.identity import resolve as resolve_module
    from exporter.reading import chunked

    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    monkeypatch.setattr(chunked, "GROUP_SPREAD", 4)
    monkeypatch.setattr(time, "time", lambda: float(NOW))
    rng = random.Random(seed)
    fast, full = tmp_path / "fast", tmp_path / "full"
    (fast / "sources").mkdir(parents=True)
    (fast / "sources" / "big.md").write_text(_big_file(120), encoding="utf-8")
    (fast / "sources" / "qa-b.md").write_text(FILES["qa-b.md"], encoding="utf-8")
    _copy(fast, full)
    _build(fast, full=True)
    _build(full, full=True)
    resolved: list[int] = []
    real_resolve = resolve_module.resolve
    monkeypatch.setattr(resolve_module, "resolve", lambda notes, *a, **k: (resolved.append(len(notes)),
                                                                          real_resolve(notes, *a, **k))[1])
    edits: list[str] = []
    for step in range(14):
        edits.append(_edit_big(rng, fast / "sources", "answer" if step < 2 else ""))
        shutil.rmtree(full / "sources")
        shutil.copytree(fast / "sources", full / "sources")
        for source in (fast / "sources").iterdir():
            stat = source.stat()
            os.utime(full / "sources" / source.name, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        resolved.clear()
        fast_out = _build(fast, full=False)
        if step < 2:  # one answer edited: one group's notes are identified (a group holds a few pairs)
            assert resolved and resolved[0] < 40, edits
        full_out = _build(full, full=True)
        assert _state(fast) == _state(full), edits
        assert fast_out == full_out, edits
