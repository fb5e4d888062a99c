"""Run the CLI in a subprocess with a time budget: a hang fails the test instead of stalling the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GOOD_NOTE = "## Q1. Good question?\n\n**Réponse :** good answer\n"


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def exporter(project: Path, *args: str, budget: float = 60.0, **popen: Any) -> Run:
    """`exporter ARGS` in `project`; fails (TimeoutExpired) after `budget` seconds."""
    env = {**os.environ, "EXPORTER_DEBUG": ""}
    env.pop("EXPORTER_DEBUG")
    proc = subprocess.run([sys.executable, "-m", "exporter", *args], cwd=project, capture_output=True, text=True,
                          timeout=budget, env=env, **popen)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return Run(proc.returncode, proc.stdout, proc.stderr)


def project_with(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    """A project whose `sources/` holds a good file and `files` (name -> content)."""
    sources = tmp_path / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    (sources / "good.md").write_text("# Good deck\n\n" + GOOD_NOTE, encoding="utf-8")
    for name, content in files.items():
        path = sources / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return tmp_path
