"""`kill -9` at any moment of a build: every output and the lock stay whole, no worker survives."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.reliability.harness import exporter, project_with

TRIALS = 20


def _deck(name: str, version: int) -> str:
    notes = "\n".join(f"## Q{i}. {name} question {i} (v{version})?\n\n**Réponse :** answer $x^{i}$ {version}\n"
                      for i in range(6))
    return f"# {name}\n\n{notes}"


def _write_sources(project: Path, version: int) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        (project / "sources" / f"{name.lower()}.md").write_text(_deck(name, version), encoding="utf-8")


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _whole(path: Path) -> bool:
    if path.suffix == ".apkg":
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None and "collection.anki2" in archive.namelist()
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return len(PdfReader(path).pages) > 0
    return True


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_kill_at_random_moments(tmp_path: Path) -> None:
    project = project_with(tmp_path, {})
    _write_sources(project, 0)
    args = [sys.executable, "-m", "exporter", "build", "--format", "apkg", "--format", "pdf", "-q"]
    start = time.monotonic()
    assert exporter(project, *args[3:], budget=300).returncode == 0
    full = time.monotonic() - start
    rng = random.Random(13)
    lock = project / "sources" / "exporter.lock"
    for trial in range(TRIALS):
        before = {p.name: p.read_bytes() for p in (project / "dist").iterdir() if p.is_file()}
        _write_sources(project, trial + 1)
        proc = subprocess.Popen(args, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, full))
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], f"trial {trial}: workers outlived the build"
        for path in (project / "dist").iterdir():
            if path.is_file() and not path.name.endswith(".tmp") and path.suffix in (".apkg", ".pdf"):
                assert path.read_bytes() == before.get(path.name) or _whole(path), f"trial {trial}: {path.name}"
        json.loads(lock.read_text(encoding="utf-8"))
    run = exporter(project, *args[3:], budget=300)
    assert run.returncode == 0, run.output
    assert [p.name for p in (project / "dist").rglob("*.tmp")] == []
    assert sorted(p.name for p in (project / "dist").glob("*.pdf")) == ["alpha.pdf", "beta.pdf", "gamma.pdf", "good-deck.pdf"]
    assert all(_whole(p) for p in (project / "dist").iterdir() if p.suffix in (".apkg", ".pdf"))


@pytest.mark.slow
def test_two_builds_at_once_into_one_folder(tmp_path: Path) -> None:
    project = project_with(tmp_path, {})
    _write_sources(project, 1)
    args = [sys.executable, "-m", "exporter", "build", "--format", "apkg", "--format", "pdf"]
    procs = [subprocess.Popen(args, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert any("waiting for another build" in err for _, err in outputs)
    assert all(_whole(p) for p in (project / "dist").iterdir() if p.suffix in (".apkg", ".pdf"))
    json.loads((project / "sources" / "exporter.lock").read_text(encoding="utf-8"))
    assert [p.name for p in (project / "dist").rglob("*.tmp")] == []
